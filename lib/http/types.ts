/**
 * The part of a Scaleway Functions event our handlers read. The platform's
 * event (`Event` of `@scaleway/serverless-functions`) is assignable to it.
 */
export interface FunctionEvent {
  readonly httpMethod: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, unknown>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly queryStringParameters?: Readonly<
    Record<string, string | string[]>
  > | null;
}

/** What a handler returns to the platform. */
export interface FunctionResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A Scaleway Functions handler as our adapters build it. */
export type FunctionHandler = (
  event: FunctionEvent,
  context?: unknown,
) => Promise<FunctionResponse>;
