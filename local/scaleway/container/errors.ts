import { ApiError } from '../core/index.ts';

/** Resources of the Serverless v1beta1 APIs, as their 404s name them. */
export type ServerlessResource =
  | 'Namespace'
  | 'Container'
  | 'Function'
  | 'Cron'
  | 'Trigger';

/**
 * A 404 of the Serverless Containers / Functions v1beta1 APIs. The real
 * API sends `{"message":"Container was not found"}` with no `type`, so the
 * SDK raises a plain `ScalewayError` with `status === 404`, not a
 * `ResourceNotFoundError` (reference/scaleway-api.md section 3.2).
 */
export class ServerlessNotFoundError extends ApiError {
  readonly resource: ServerlessResource;

  constructor(resource: ServerlessResource) {
    super(404, `${resource} was not found`);
    this.name = 'ServerlessNotFoundError';
    this.resource = resource;
  }
}
