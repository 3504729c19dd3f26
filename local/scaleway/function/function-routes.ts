import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import { ServerlessNotFoundError } from '../container/errors.ts';
import {
  compact,
  type NamespaceRecord,
  requireNamespace,
} from '../container/namespace.ts';
import { hashSecrets, mergeSecrets } from '../container/secret-environment.ts';
import {
  AlreadyExistsError,
  byFields,
  type Collection,
  InvalidArgumentsError,
  newId,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryInt,
  queryString,
  type Router,
  regionParam,
  timestamp,
} from '../core/index.ts';
import {
  CreateFunctionBody,
  cpuForMemory,
  type FunctionRecord,
  functionToWire,
  UpdateFunctionBody,
  type UpdateFunctionInput,
} from './model.ts';
import { isKnownRuntime, RUNTIMES } from './runtimes.ts';
import {
  type ArchiveUploadServer,
  MAX_ARCHIVE_BYTES,
  newUploadToken,
} from './uploads.ts';

/** Base path of the Serverless Functions v1beta1 API. */
export const FUNCTIONS_BASE = '/functions/v1beta1/regions/{region}';

const ListFunctionsQuery = z.object({
  namespace_id: queryString(),
  name: queryString(),
  project_id: queryString(),
  organization_id: queryString(),
});

const UploadUrlQuery = z.object({
  content_length: queryInt(1, MAX_ARCHIVE_BYTES),
});

const FUNCTION_ORDERINGS = byFields<FunctionRecord>({
  created_at: (record) => record.created_at,
  name: (record) => record.name,
});

/** What the function routes need. */
export interface FunctionRoutesContext {
  namespaces: Collection<NamespaceRecord>;
  functions: Collection<FunctionRecord>;
  clock: PlatformClock;
  uploads: ArchiveUploadServer;
  /** Deletes a function with its CRONs and triggers. */
  deleteFunction(id: string): void;
}

/** The function named by `{function_id}` in the path's region, or a 404. */
export function requireFunction(
  functions: Collection<FunctionRecord>,
  params: Readonly<Record<string, string>>,
  id: string = pathParam(params, 'function_id'),
): FunctionRecord {
  const record = functions.get(id);
  if (record === undefined || record.region !== regionParam(params)) {
    throw new ServerlessNotFoundError('Function');
  }

  return record;
}

/**
 * Registers the function routes: CRUD, the runtimes list, the upload URL
 * and deploy. A deploy replies `pending` and stores `ready` when code was
 * uploaded, `error` (a failed build) when none was.
 */
export function registerFunctionRoutes(
  router: Router,
  context: FunctionRoutesContext,
): void {
  const { namespaces, functions, clock, uploads } = context;
  const one = `${FUNCTIONS_BASE}/functions/{function_id}`;

  router.get(`${FUNCTIONS_BASE}/runtimes`, () =>
    ok({ runtimes: RUNTIMES, total_count: RUNTIMES.length }),
  );

  router.post(`${FUNCTIONS_BASE}/functions`, async (request) => {
    const region = regionParam(request.params);
    const body = parseBody(CreateFunctionBody, request.body);
    const namespace = requireNamespace(namespaces, body.namespace_id, region);
    const runtime = requireRuntime(body.runtime);
    const duplicate = functions.filter(
      (f) => f.namespace_id === namespace.id && f.name === body.name,
    )[0];
    if (duplicate !== undefined) {
      throw new AlreadyExistsError(
        'function',
        duplicate.id,
        'a function with this name already exists in the namespace',
      );
    }

    const now = timestamp(clock);
    const memory = body.memory_limit ?? 256;
    const created = functions.insert({
      id: newId(),
      name: body.name,
      namespace_id: namespace.id,
      status: 'created',
      environment_variables: body.environment_variables ?? {},
      secret_environment_variables: await hashSecrets(
        body.secret_environment_variables ?? [],
      ),
      min_scale: body.min_scale ?? 0,
      max_scale: body.max_scale ?? 20,
      memory_limit: memory,
      cpu_limit: cpuForMemory(memory),
      timeout: body.timeout ?? '300s',
      runtime,
      handler: body.handler ?? 'handler.handle',
      privacy: body.privacy ?? 'public',
      description: body.description ?? '',
      domain_name: `${compact(namespace.name)}${namespace.id.slice(0, 8)}-${compact(body.name)}.functions.fnc.${region}.scw.cloud`,
      http_option: body.http_option ?? 'enabled',
      sandbox: body.sandbox ?? 'v2',
      private_network_id: body.private_network_id || null,
      tags: body.tags ?? [],
      error_message: null,
      build_message: '',
      runtime_message: '',
      region,
      created_at: now,
      updated_at: now,
      ready_at: null,
      archive: null,
      upload_token: null,
      deployments: 0,
    });

    return ok(functionToWire(created));
  });

  const list = (
    request: Parameters<Parameters<Router['get']>[1]>[0],
    namespaceId: string | undefined,
  ) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListFunctionsQuery, request.query);
    const wanted = namespaceId ?? query.namespace_id;
    const namespaceOf = (f: FunctionRecord) => namespaces.get(f.namespace_id);
    const matching = functions.filter(
      (f) =>
        f.region === region &&
        (wanted === undefined || f.namespace_id === wanted) &&
        (query.name === undefined || f.name === query.name) &&
        (query.project_id === undefined ||
          namespaceOf(f)?.project_id === query.project_id) &&
        (query.organization_id === undefined ||
          namespaceOf(f)?.organization_id === query.organization_id),
    );
    const page = paginate(
      matching,
      request.query,
      FUNCTION_ORDERINGS,
      'created_at_asc',
    );

    return ok({
      functions: page.items.map((f) => functionToWire(f)),
      total_count: page.totalCount,
    });
  };

  router.get(`${FUNCTIONS_BASE}/functions`, (request) =>
    list(request, undefined),
  );

  // The serverless-scaleway-functions plugin lists functions on this
  // older path (shared/api/functions.js).
  router.get(
    `${FUNCTIONS_BASE}/namespaces/{namespace_id}/functions`,
    (request) => {
      const region = regionParam(request.params);
      const id = pathParam(request.params, 'namespace_id');
      requireNamespace(namespaces, id, region);

      return list(request, id);
    },
  );

  router.get(one, (request) =>
    ok(functionToWire(requireFunction(functions, request.params))),
  );

  router.patch(one, async (request) => {
    const current = requireFunction(functions, request.params);
    const body = parseBody(UpdateFunctionBody, request.body);
    const runtime =
      body.runtime === undefined || body.runtime === null
        ? current.runtime
        : requireRuntime(body.runtime);
    const secrets = await mergeSecrets(
      current.secret_environment_variables,
      body.secret_environment_variables ?? [],
    );
    const redeploy = body.redeploy !== false;

    const updated = functions.update(current.id, (record) => {
      const now = timestamp(clock);
      const changed = {
        ...applyUpdate(record, body),
        runtime,
        secret_environment_variables: secrets,
        updated_at: now,
      };
      return redeploy ? deployed(changed, now) : changed;
    });

    return ok(functionToWire(updated, redeploy ? 'pending' : updated.status));
  });

  router.post(`${one}/deploy`, (request) => {
    const current = requireFunction(functions, request.params);

    const updated = functions.update(current.id, (record) =>
      deployed(record, timestamp(clock)),
    );

    return ok(functionToWire(updated, 'pending'));
  });

  router.get(`${one}/upload-url`, (request) => {
    const current = requireFunction(functions, request.params);
    const query = parseQuery(UploadUrlQuery, request.query);
    if (query.content_length === undefined) {
      throw InvalidArgumentsError.of(
        'content_length',
        'required',
        'content_length is required',
      );
    }

    const token = newUploadToken();
    functions.update(current.id, (record) => ({
      ...record,
      upload_token: token,
    }));

    return ok({
      url: uploads.uploadUrl(current.id, token),
      headers: { 'content-type': ['application/octet-stream'] },
    });
  });

  router.delete(one, (request) => {
    const record = requireFunction(functions, request.params);

    context.deleteFunction(record.id);

    return ok(functionToWire(record, 'deleting'));
  });
}

function requireRuntime(runtime: string | null | undefined): string {
  if (runtime === undefined || runtime === null || !isKnownRuntime(runtime)) {
    throw InvalidArgumentsError.of(
      'runtime',
      runtime ? 'constraint' : 'required',
      `runtime must be one of ${RUNTIMES.map((r) => r.name).join(', ')}`,
    );
  }

  return runtime;
}

/**
 * A deployment: `ready` with the uploaded code, `error` (the build fails)
 * without any.
 */
function deployed(record: FunctionRecord, now: string): FunctionRecord {
  if (record.archive === null) {
    return {
      ...record,
      status: 'error',
      error_message: 'build failed: no code was uploaded for this function',
    };
  }

  return {
    ...record,
    status: 'ready',
    error_message: null,
    ready_at: now,
    deployments: record.deployments + 1,
  };
}

function applyUpdate(
  record: FunctionRecord,
  body: UpdateFunctionInput,
): FunctionRecord {
  const privateNetwork =
    body.private_network_id === undefined || body.private_network_id === null
      ? record.private_network_id
      : body.private_network_id || null;
  const memory = body.memory_limit ?? record.memory_limit;

  return {
    ...record,
    environment_variables:
      body.environment_variables ?? record.environment_variables,
    min_scale: body.min_scale ?? record.min_scale,
    max_scale: body.max_scale ?? record.max_scale,
    memory_limit: memory,
    cpu_limit: cpuForMemory(memory),
    timeout: body.timeout ?? record.timeout,
    handler: body.handler ?? record.handler,
    privacy: body.privacy ?? record.privacy,
    description: body.description ?? record.description,
    http_option: body.http_option ?? record.http_option,
    sandbox: body.sandbox ?? record.sandbox,
    private_network_id: privateNetwork,
    tags: body.tags ?? record.tags,
  };
}
