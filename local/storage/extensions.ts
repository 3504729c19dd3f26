import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
} from 'fastify';
import type { PlatformClock } from '../controls/clock.ts';
import {
  lifecycleXml,
  objectLockXml,
  parseLifecycle,
  parseRetention,
  putObjectLock,
  putVersioning,
  retentionMode,
  retentionXml,
  versioningXml,
} from './bucket-config.ts';
import { checkWritePreconditions, releaseWrite } from './conditional.ts';
import { escapeXml, S3ReplyError } from './errors.ts';
import type { VersionedObjects, WriteOptions } from './objects.ts';
import {
  checkSseRead,
  readSseCustomerKey,
  sseResponseHeaders,
} from './sse-c.ts';
import type { ObjectVersion } from './state.ts';
import { allTags, firstTag, s3Document } from './xml.ts';

/** S3 sub-resources fauxqs would misroute and we do not emulate. */
const UNSUPPORTED = [
  'acl',
  'cors',
  'encryption',
  'logging',
  'notification',
  'policy',
  'replication',
  'tagging',
  'website',
  'accelerate',
  'ownershipControls',
  'publicAccessBlock',
  'requestPayment',
];

type AfterSend = (reply: FastifyReply) => void;
type Query = Record<string, string | undefined>;

interface S3Target {
  bucket: string;
  key: string;
  query: Query;
}

/**
 * Adds what fauxqs lacks in front of its S3 routes: versioning, lifecycle
 * expiration on the platform clock, object lock, SSE-C and conditional
 * writes. Requests these features do not concern fall through to fauxqs
 * untouched.
 */
export function registerStorageExtensions(
  app: FastifyInstance,
  objects: VersionedObjects,
  clock: PlatformClock,
): void {
  const afterSend = new WeakMap<FastifyRequest, AfterSend>();

  app.addHook('preHandler', async (request, reply) => {
    const target = s3Target(request);
    if (!target) {
      return;
    }

    try {
      objects.sweepLifecycle();
      const after = handle(request, reply, target, objects, clock);
      if (typeof after === 'function') {
        afterSend.set(request, after);
      }
    } catch (error) {
      if (!(error instanceof S3ReplyError)) {
        throw error;
      }
      sendError(request, reply, error);
    }

    return reply.sent ? reply : undefined;
  });

  const onSend: onSendHookHandler = async (request, reply, payload) => {
    const after = afterSend.get(request);
    if (after && reply.statusCode === 200) {
      after(reply);
    }
    releaseWrite(request);

    return payload;
  };
  app.addHook('onSend', onSend);
  app.addHook('onRequestAbort', async (request) => releaseWrite(request));
}

function handle(
  request: FastifyRequest,
  reply: FastifyReply,
  target: S3Target,
  objects: VersionedObjects,
  clock: PlatformClock,
): AfterSend | undefined {
  const unsupported = UNSUPPORTED.find((name) => name in target.query);
  if (unsupported) {
    throw new S3ReplyError(
      'NotImplemented',
      501,
      `The local platform does not emulate ?${unsupported}.`,
    );
  }

  if (target.key === '') {
    return handleBucket(request, reply, target, objects);
  }

  return handleObject(request, reply, target, objects, clock);
}

function handleBucket(
  request: FastifyRequest,
  reply: FastifyReply,
  { bucket, query }: S3Target,
  objects: VersionedObjects,
): AfterSend | undefined {
  const method = request.method;

  if (method === 'PUT' && !hasSubresource(query)) {
    const lock = request.headers['x-amz-bucket-object-lock-enabled'];

    return () => {
      if (String(lock).toLowerCase() !== 'true') {
        return;
      }
      const state = objects.bucket(bucket);
      state.objectLockEnabled = true;
      state.versioning = 'Enabled';
    };
  }
  if (method === 'DELETE' && !hasSubresource(query)) {
    const state = objects.bucket(bucket);
    if (state.versions.size > 0) {
      throw new S3ReplyError(
        'BucketNotEmpty',
        409,
        'The bucket you tried to delete is not empty. ' +
          'You must delete all versions in the bucket.',
        bucket,
      );
    }

    return () => objects.forgetBucket(bucket);
  }

  const state = objects.bucket(bucket);
  const body = bodyText(request);

  if ('versioning' in query) {
    if (method === 'PUT') {
      putVersioning(state, body);
      sendEmpty(reply);
    } else if (method === 'GET') {
      sendXml(reply, versioningXml(state));
    }
  } else if ('lifecycle' in query) {
    if (method === 'PUT') {
      state.lifecycle = parseLifecycle(body);
      sendEmpty(reply);
    } else if (method === 'DELETE') {
      delete state.lifecycle;
      reply.code(204).send();
    } else if (method === 'GET') {
      if (!state.lifecycle) {
        throw new S3ReplyError(
          'NoSuchLifecycleConfiguration',
          404,
          'The lifecycle configuration does not exist',
          bucket,
        );
      }
      sendXml(reply, lifecycleXml(state.lifecycle));
    }
  } else if ('object-lock' in query) {
    if (method === 'PUT') {
      putObjectLock(state, body);
      sendEmpty(reply);
    } else if (method === 'GET') {
      sendXml(reply, objectLockXml(state));
    }
  } else if ('versions' in query && method === 'GET') {
    sendXml(reply, listVersionsXml(bucket, query, objects));
  } else if ('delete' in query && method === 'POST') {
    sendXml(reply, deleteObjectsXml(request, bucket, body, objects));
  }

  return undefined;
}

function handleObject(
  request: FastifyRequest,
  reply: FastifyReply,
  { bucket, key, query }: S3Target,
  objects: VersionedObjects,
  clock: PlatformClock,
): AfterSend | undefined {
  const method = request.method;
  const versionId = query.versionId;

  if ('retention' in query || 'legal-hold' in query) {
    handleProtection(request, reply, { bucket, key, query }, objects, clock);
    return undefined;
  }

  if (method === 'PUT' && query.uploadId === undefined) {
    const after = prepareWrite(request, bucket, objects);
    checkWritePreconditions(request, objects, bucket, key);
    return after;
  }
  if (method === 'POST' && query.uploadId !== undefined) {
    return prepareWrite(request, bucket, objects);
  }

  if (method === 'DELETE' && query.uploadId === undefined) {
    const bypass =
      request.headers['x-amz-bypass-governance-retention'] === 'true';
    const outcome =
      versionId === undefined
        ? objects.deleteCurrent(bucket, key)
        : objects.deleteVersion(bucket, key, versionId, bypass);
    if (outcome.versionId) {
      reply.header('x-amz-version-id', outcome.versionId);
    }
    if (outcome.deleteMarker) {
      reply.header('x-amz-delete-marker', 'true');
    }
    reply.code(204).send();
    return undefined;
  }

  if (method === 'GET' || method === 'HEAD') {
    return prepareRead(request, reply, { bucket, key, query }, objects);
  }

  return undefined;
}

function prepareWrite(
  request: FastifyRequest,
  bucket: string,
  objects: VersionedObjects,
): AfterSend {
  const state = objects.bucket(bucket);
  const sse = readSseCustomerKey(request.headers);
  const options: WriteOptions = {};
  if (sse) {
    options.sseCustomerKeyMd5 = sse.keyMd5;
  }

  const mode = request.headers['x-amz-object-lock-mode'];
  const until = request.headers['x-amz-object-lock-retain-until-date'];
  const hold = request.headers['x-amz-object-lock-legal-hold'];
  const wantsLock =
    mode !== undefined || until !== undefined || hold !== undefined;
  if (wantsLock && !state.objectLockEnabled) {
    throw new S3ReplyError(
      'InvalidRequest',
      400,
      'Bucket is missing Object Lock Configuration',
    );
  }
  if (mode !== undefined || until !== undefined) {
    const retainUntil = new Date(String(until));
    if (Number.isNaN(retainUntil.getTime())) {
      throw new S3ReplyError(
        'InvalidArgument',
        400,
        'x-amz-object-lock-retain-until-date is not a valid date',
      );
    }
    options.retention = {
      mode: retentionMode(String(mode)),
      retainUntil,
    };
  }
  if (hold === 'ON') {
    options.legalHold = true;
  }

  const key = targetKey(request);

  return (reply) => {
    const version = objects.recordWrite(bucket, key, options);
    setVersionHeaders(reply, version, state.versioning !== 'Unversioned');
  };
}

function prepareRead(
  request: FastifyRequest,
  reply: FastifyReply,
  { bucket, key, query }: S3Target,
  objects: VersionedObjects,
): AfterSend | undefined {
  const state = objects.bucket(bucket);
  const sse = readSseCustomerKey(request.headers);
  const versioned = state.versioning !== 'Unversioned';

  if (query.versionId !== undefined) {
    const version = objects.version(bucket, key, query.versionId);
    sendVersion(request, reply, version, sse);
    return undefined;
  }

  const current = objects.current(bucket, key);
  if (!current) {
    return undefined;
  }
  if (current.deleteMarker) {
    reply.header('x-amz-delete-marker', 'true');
    reply.header('x-amz-version-id', current.versionId);
    throw new S3ReplyError(
      'NoSuchKey',
      404,
      'The specified key does not exist.',
      `/${bucket}/${key}`,
    );
  }
  checkSseRead(current, sse);

  return (sent) => setVersionHeaders(sent, current, versioned);
}

function sendVersion(
  request: FastifyRequest,
  reply: FastifyReply,
  version: ObjectVersion,
  sse: ReturnType<typeof readSseCustomerKey>,
): void {
  reply.header('x-amz-version-id', version.versionId);
  if (version.deleteMarker || !version.object) {
    reply.header('x-amz-delete-marker', 'true');
    throw new S3ReplyError(
      'MethodNotAllowed',
      405,
      'The specified method is not allowed against this resource.',
    );
  }
  checkSseRead(version, sse);

  const object = version.object;
  reply.header('content-type', object.contentType);
  reply.header('content-length', object.contentLength);
  reply.header('etag', object.etag);
  reply.header('last-modified', object.lastModified.toUTCString());
  for (const [name, value] of Object.entries(object.metadata)) {
    reply.header(`x-amz-meta-${name}`, value);
  }
  setVersionHeaders(reply, version, true);

  reply.code(200).send(request.method === 'HEAD' ? undefined : object.body);
}

function handleProtection(
  request: FastifyRequest,
  reply: FastifyReply,
  { bucket, key, query }: S3Target,
  objects: VersionedObjects,
  clock: PlatformClock,
): void {
  const state = objects.bucket(bucket);
  if (!state.objectLockEnabled) {
    throw new S3ReplyError(
      'InvalidRequest',
      400,
      'Bucket is missing Object Lock Configuration',
    );
  }
  const version =
    query.versionId === undefined
      ? objects.current(bucket, key)
      : objects.version(bucket, key, query.versionId);
  if (!version || version.deleteMarker) {
    throw new S3ReplyError(
      'NoSuchKey',
      404,
      'The specified key does not exist.',
      `/${bucket}/${key}`,
    );
  }

  if ('legal-hold' in query) {
    if (request.method === 'PUT') {
      version.legalHold = firstTag(bodyText(request), 'Status') === 'ON';
      sendEmpty(reply);
      return;
    }
    const status = version.legalHold ? 'ON' : 'OFF';
    sendXml(reply, s3Document('LegalHold', `<Status>${status}</Status>`));
    return;
  }

  if (request.method === 'PUT') {
    const next = parseRetention(bodyText(request));
    const bypass =
      request.headers['x-amz-bypass-governance-retention'] === 'true';
    assertRetentionChange(version, next, bypass, clock.now());
    version.retention = next;
    sendEmpty(reply);
    return;
  }
  if (!version.retention) {
    throw new S3ReplyError(
      'NoSuchObjectLockConfiguration',
      404,
      'The specified object does not have a ObjectLock configuration',
    );
  }
  sendXml(reply, retentionXml(version.retention));
}

/** COMPLIANCE can only grow; GOVERNANCE shrinks only with the bypass. */
function assertRetentionChange(
  version: ObjectVersion,
  next: NonNullable<ObjectVersion['retention']>,
  bypass: boolean,
  now: Date,
): void {
  const current = version.retention;
  if (!current || current.retainUntil.getTime() <= now.getTime()) {
    return;
  }

  const shortens =
    next.retainUntil.getTime() < current.retainUntil.getTime() ||
    next.mode !== current.mode;
  if (!shortens) {
    return;
  }
  if (current.mode === 'GOVERNANCE' && bypass) {
    return;
  }

  throw new S3ReplyError(
    'AccessDenied',
    403,
    'Access Denied because object protected by object lock.',
  );
}

function listVersionsXml(
  bucket: string,
  query: Query,
  objects: VersionedObjects,
): string {
  const prefix = query.prefix ?? '';
  const marker = query['key-marker'] ?? '';
  const maxKeys = Math.min(Number(query['max-keys'] ?? 1000) || 1000, 1000);
  const state = objects.bucket(bucket);
  const keys = [...state.versions.keys()]
    .filter((key) => key.startsWith(prefix) && key > marker)
    .sort();

  // Differs from Scaleway (docs/local-platform.md): a page holds whole
  // keys (all versions of a key, even past MaxKeys when it has more), so
  // the version-id-marker is not needed to resume.
  const page: string[] = [];
  let versions = 0;
  for (const key of keys) {
    const count = state.versions.get(key)?.length ?? 0;
    if (page.length > 0 && versions + count > maxKeys) break;
    page.push(key);
    versions += count;
  }
  const last = page.at(-1);
  const truncated = page.length < keys.length && last !== undefined;
  const entries = page.flatMap((key) =>
    (state.versions.get(key) ?? []).map((version, index) =>
      versionEntryXml(key, version, index === 0),
    ),
  );

  return s3Document(
    'ListVersionsResult',
    `<Name>${escapeXml(bucket)}</Name>` +
      `<Prefix>${escapeXml(prefix)}</Prefix>` +
      `<KeyMarker>${escapeXml(marker)}</KeyMarker>` +
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextKeyMarker>${escapeXml(last)}</NextKeyMarker>` : '') +
      entries.join(''),
  );
}

function versionEntryXml(
  key: string,
  version: ObjectVersion,
  latest: boolean,
): string {
  const common =
    `<Key>${escapeXml(key)}</Key>` +
    `<VersionId>${version.versionId}</VersionId>` +
    `<IsLatest>${latest}</IsLatest>` +
    `<LastModified>${version.createdAt.toISOString()}</LastModified>`;
  if (version.deleteMarker || !version.object) {
    return `<DeleteMarker>${common}</DeleteMarker>`;
  }

  return (
    `<Version>${common}<ETag>${escapeXml(version.object.etag)}</ETag>` +
    `<Size>${version.object.contentLength}</Size>` +
    '<StorageClass>STANDARD</StorageClass></Version>'
  );
}

function deleteObjectsXml(
  request: FastifyRequest,
  bucket: string,
  body: string,
  objects: VersionedObjects,
): string {
  const quiet = firstTag(body, 'Quiet') === 'true';
  const bypass =
    request.headers['x-amz-bypass-governance-retention'] === 'true';
  const results = allTags(body, 'Object').map((entry) => {
    const key = firstTag(entry, 'Key') ?? '';
    const versionId = firstTag(entry, 'VersionId');
    try {
      const outcome =
        versionId === undefined
          ? objects.deleteCurrent(bucket, key)
          : objects.deleteVersion(bucket, key, versionId, bypass);
      if (quiet) {
        return '';
      }
      const id = outcome.versionId
        ? `<VersionId>${escapeXml(outcome.versionId)}</VersionId>`
        : '';
      const marker = outcome.deleteMarker
        ? '<DeleteMarker>true</DeleteMarker>'
        : '';

      return `<Deleted><Key>${escapeXml(key)}</Key>${id}${marker}</Deleted>`;
    } catch (error) {
      if (!(error instanceof S3ReplyError)) {
        throw error;
      }

      return (
        `<Error><Key>${escapeXml(key)}</Key><Code>${error.code}</Code>` +
        `<Message>${escapeXml(error.message)}</Message></Error>`
      );
    }
  });

  return s3Document('DeleteResult', results.join(''));
}

function setVersionHeaders(
  reply: FastifyReply,
  version: ObjectVersion,
  versioned: boolean,
): void {
  if (versioned) {
    reply.header('x-amz-version-id', version.versionId);
  }
  if (version.retention) {
    reply.header('x-amz-object-lock-mode', version.retention.mode);
    reply.header(
      'x-amz-object-lock-retain-until-date',
      version.retention.retainUntil.toISOString(),
    );
  }
  if (version.legalHold) {
    reply.header('x-amz-object-lock-legal-hold', 'ON');
  }
  if (version.sseCustomerKeyMd5) {
    reply.headers(sseResponseHeaders(version.sseCustomerKeyMd5));
  }
}

function s3Target(request: FastifyRequest): S3Target | undefined {
  const params = request.params as Record<string, string | undefined>;
  const bucket = params.bucket;
  if (bucket === undefined) {
    return undefined;
  }

  return {
    bucket,
    key: targetKey(request),
    query: (request.query ?? {}) as Query,
  };
}

function targetKey(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined>;

  return params['*'] ?? '';
}

function hasSubresource(query: Query): boolean {
  return ['versioning', 'lifecycle', 'object-lock', 'versions', 'delete'].some(
    (name) => name in query,
  );
}

function bodyText(request: FastifyRequest): string {
  const body = request.body;
  if (Buffer.isBuffer(body)) {
    return body.toString('utf8');
  }

  return typeof body === 'string' ? body : '';
}

function sendXml(reply: FastifyReply, xml: string): void {
  reply.code(200).header('content-type', 'application/xml').send(xml);
}

function sendEmpty(reply: FastifyReply): void {
  reply.code(200).send();
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: S3ReplyError,
): void {
  reply.code(error.statusCode);
  if (request.method === 'HEAD') {
    reply.send();
    return;
  }
  reply.header('content-type', 'application/xml').send(error.toXml());
}
