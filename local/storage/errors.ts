import { randomUUID } from 'node:crypto';

/** Root of the errors the local Object Storage raises. */
export class ObjectStorageError extends Error {
  override name = 'ObjectStorageError';
}

/**
 * An S3 error reply: the S3 `Code`, the HTTP status and a message that is
 * safe to show (it never holds a key or an object body).
 */
export class S3ReplyError extends ObjectStorageError {
  override name = 'S3ReplyError';

  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly resource?: string,
  ) {
    super(message);
  }

  /** The error as the S3 XML body. */
  toXml(): string {
    const resource = this.resource
      ? `<Resource>${escapeXml(this.resource)}</Resource>`
      : '';
    const requestId = randomUUID().replaceAll('-', '').slice(0, 16);

    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
      `<Code>${this.code}</Code>` +
      `<Message>${escapeXml(this.message)}</Message>${resource}` +
      `<RequestId>${requestId}</RequestId></Error>`
    );
  }
}

/** Escapes the five XML special characters. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** The S3 `AccessDenied` reply object lock gives. */
export function accessDenied(message = 'Access Denied'): S3ReplyError {
  return new S3ReplyError('AccessDenied', 403, message);
}

/** The S3 `InvalidArgument` reply. */
export function invalidArgument(message: string): S3ReplyError {
  return new S3ReplyError('InvalidArgument', 400, message);
}

/** The S3 `MalformedXML` reply. */
export function malformedXml(): S3ReplyError {
  return new S3ReplyError(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate',
  );
}
