import { createHash, randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  type AccountDefaults,
  byFields,
  InvalidArgumentsError,
  noContent,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryArray,
  queryBoolean,
  queryString,
  ResourceNotFoundError,
  type Router,
  type TokenVerdict,
  timestamp,
} from '../core/index.ts';
import {
  type ApiKeyRecord,
  apiKeyToWire,
  IAM_BASE,
  type IamCollections,
} from './records.ts';

const DATE_TIME = z.iso.datetime({ offset: true });

const CreateApiKeyBody = z.object({
  application_id: z.guid().nullish(),
  user_id: z.guid().nullish(),
  expires_at: DATE_TIME.nullish(),
  default_project_id: z.guid().nullish(),
  description: z.string().max(200).nullish(),
});

const UpdateApiKeyBody = z.object({
  default_project_id: z.guid().nullish(),
  description: z.string().max(200).nullish(),
  expires_at: DATE_TIME.nullish(),
});

const ListApiKeysQuery = z.object({
  organization_id: queryString(),
  application_id: queryString(),
  user_id: queryString(),
  bearer_id: queryString(),
  bearer_type: z
    .enum(['unknown_bearer_type', 'user', 'application'])
    .optional(),
  access_key: queryString(),
  access_keys: queryArray(z.string()),
  description: queryString(),
  editable: queryBoolean(),
  expired: queryBoolean(),
});

const ORDERINGS = byFields<ApiKeyRecord>({
  created_at: (key) => key.created_at,
  updated_at: (key) => key.updated_at,
  expires_at: (key) => key.expires_at ?? '9999',
  access_key: (key) => key.access_key,
});

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** SHA-256 of a secret key, as stored. */
export function hashSecretKey(secretKey: string): string {
  return createHash('sha256').update(secretKey).digest('hex');
}

/**
 * A token verifier accepting the secret key of any API key that exists
 * and has not expired by the platform clock.
 */
export function apiKeyVerifier(
  collections: IamCollections,
  clock: PlatformClock,
): (token: string) => TokenVerdict {
  return (token) => {
    const hash = hashSecretKey(token);
    const key = collections.apiKeys
      .all()
      .find((candidate) => candidate.secret_key_sha256 === hash);
    if (key === undefined) {
      return 'unknown';
    }

    return isExpired(key, clock) ? 'expired' : 'valid';
  };
}

function isExpired(key: ApiKeyRecord, clock: PlatformClock): boolean {
  return (
    key.expires_at !== null &&
    Date.parse(key.expires_at) <= clock.now().getTime()
  );
}

/** Registers the API key routes. */
export function registerApiKeyRoutes(
  router: Router,
  collections: IamCollections,
  clock: PlatformClock,
  account: AccountDefaults,
): void {
  const { apiKeys } = collections;
  const accessKeyOf = (params: Readonly<Record<string, string>>) =>
    pathParam(params, 'access_key');

  router.post(`${IAM_BASE}/api-keys`, (request) => {
    const input = parseBody(CreateApiKeyBody, request.body);
    if (input.user_id !== undefined && input.user_id !== null) {
      // Differs from Scaleway (docs/local-platform.md): users are not
      // emulated; only applications bear keys.
      throw new ResourceNotFoundError('user', input.user_id);
    }
    if (input.application_id === undefined || input.application_id === null) {
      throw InvalidArgumentsError.of(
        'application_id',
        'required',
        'one of application_id or user_id is required',
      );
    }
    const application = collections.applications.require(input.application_id);

    const secretKey = randomUUID();
    const now = timestamp(clock);
    const key = apiKeys.insert({
      access_key: newAccessKey(),
      secret_key_sha256: hashSecretKey(secretKey),
      application_id: application.id,
      description: input.description ?? '',
      created_at: now,
      updated_at: now,
      expires_at: normaliseDate(input.expires_at),
      default_project_id: input.default_project_id ?? account.projectId,
      editable: true,
      deletable: true,
      managed: false,
      creation_ip: request.remoteAddress.replace(/^::ffff:/, ''),
      organization_id: application.organization_id,
    });

    return ok(apiKeyToWire(key, secretKey));
  });

  router.get(`${IAM_BASE}/api-keys`, (request) => {
    const query = parseQuery(ListApiKeysQuery, request.query);
    const bearer = query.bearer_id ?? query.application_id;
    const now = clock.now().getTime();

    const matching = apiKeys.filter(
      (key) =>
        (query.organization_id === undefined ||
          key.organization_id === query.organization_id) &&
        query.user_id === undefined &&
        query.bearer_type !== 'user' &&
        (bearer === undefined || key.application_id === bearer) &&
        (query.access_key === undefined ||
          key.access_key === query.access_key) &&
        (query.access_keys === undefined ||
          query.access_keys.includes(key.access_key)) &&
        (query.description === undefined ||
          key.description.includes(query.description)) &&
        (query.editable === undefined || key.editable === query.editable) &&
        (query.expired === undefined ||
          (key.expires_at !== null && Date.parse(key.expires_at) <= now) ===
            query.expired),
    );
    const page = paginate(matching, request.query, ORDERINGS, 'created_at_asc');

    return ok({
      api_keys: page.items.map((key) => apiKeyToWire(key, null)),
      total_count: page.totalCount,
    });
  });

  router.get(`${IAM_BASE}/api-keys/{access_key}`, (request) =>
    ok(apiKeyToWire(apiKeys.require(accessKeyOf(request.params)), null)),
  );

  router.patch(`${IAM_BASE}/api-keys/{access_key}`, (request) => {
    const accessKey = accessKeyOf(request.params);
    apiKeys.require(accessKey);
    const input = parseBody(UpdateApiKeyBody, request.body);

    const key = apiKeys.update(accessKey, (current) => ({
      ...current,
      default_project_id:
        input.default_project_id ?? current.default_project_id,
      description: input.description ?? current.description,
      expires_at:
        input.expires_at === undefined || input.expires_at === null
          ? current.expires_at
          : normaliseDate(input.expires_at),
      updated_at: timestamp(clock),
    }));

    return ok(apiKeyToWire(key, null));
  });

  router.delete(`${IAM_BASE}/api-keys/{access_key}`, (request) => {
    apiKeys.delete(apiKeys.require(accessKeyOf(request.params)).access_key);

    return noContent();
  });
}

function newAccessKey(): string {
  let suffix = '';
  for (let index = 0; index < 17; index += 1) {
    suffix += ACCESS_KEY_ALPHABET[randomInt(ACCESS_KEY_ALPHABET.length)];
  }

  return `SCW${suffix}`;
}

function normaliseDate(value: string | null | undefined): string | null {
  if (value === undefined || value === null) {
    return null;
  }

  return new Date(value).toISOString();
}
