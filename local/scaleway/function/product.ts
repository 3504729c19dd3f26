import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type NamespaceRecord,
  registerNamespaceRoutes,
} from '../container/namespace.ts';
import {
  type Collection,
  defineProduct,
  type ResourceStore,
  type ScalewayProduct,
  timestamp,
} from '../core/index.ts';
import { FUNCTIONS_BASE, registerFunctionRoutes } from './function-routes.ts';
import type { FunctionRecord } from './model.ts';
import {
  type CronRecord,
  registerTriggerRoutes,
  type TriggerRecord,
} from './trigger-routes.ts';
import { ArchiveUploadServer, readArchiveFile } from './uploads.ts';

/** Options of {@link functionProduct}. */
export interface FunctionProductOptions {
  /**
   * Folder where uploaded zips are kept, one `<function-id>.zip` each.
   * Default: a fresh folder under os.tmpdir().
   */
  archiveDir?: string;
  /** Port of the upload server (the presigned URL's host). Default: 0. */
  uploadPort?: number;
}

const FUNCTION_KIND = { kind: 'function.function', resource: 'function' };

/**
 * The Serverless Functions API (v1beta1): namespaces, functions with
 * argon2id-hashed secret environment variables, code upload, deploy, CRON
 * and queue triggers; enough for `serverless deploy` through
 * `SCW_FUNCTION_URL=<api url>/functions/v1beta1/regions/fr-par`.
 * Code goes to a presigned-style URL served by a second loopback server.
 *
 * @example
 * const api = await startScalewayApi({ products: [functionProduct()] });
 */
export function functionProduct(
  options: FunctionProductOptions = {},
): ScalewayProduct {
  let uploads: ArchiveUploadServer | undefined;
  let temporaryDir: string | undefined;

  return defineProduct({
    name: 'function',
    async register({ router, store, clock, account }) {
      const namespaces = store.collection<NamespaceRecord>({
        kind: 'function.namespace',
        resource: 'namespace',
      });
      const functions = functionCollection(store);
      const crons = store.collection<CronRecord>({
        kind: 'function.cron',
        resource: 'cron',
      });
      const triggers = store.collection<TriggerRecord>({
        kind: 'function.trigger',
        resource: 'trigger',
      });

      temporaryDir = options.archiveDir
        ? undefined
        : mkdtempSync(join(tmpdir(), 'scw-functions-'));
      const archiveDir = options.archiveDir ?? (temporaryDir as string);
      uploads = new ArchiveUploadServer(
        archiveDir,
        (id, token) =>
          token !== '' && functions.get(id)?.upload_token === token,
        (id, archive) => {
          functions.update(id, (record) => ({
            ...record,
            archive: { ...archive, uploaded_at: timestamp(clock) },
            upload_token: null,
          }));
          store.flush();
        },
      );
      await uploads.listen(options.uploadPort ?? 0);

      const deleteFunction = (id: string) => {
        for (const cron of crons.filter((c) => c.function_id === id)) {
          crons.delete(cron.id);
        }
        for (const trigger of triggers.filter((t) => t.function_id === id)) {
          triggers.delete(trigger.id);
        }
        functions.delete(id);
      };

      registerNamespaceRoutes(router, {
        base: FUNCTIONS_BASE,
        namespaces,
        clock,
        account,
        registryPrefix: 'funcscw',
        deleteChildren: (namespaceId) => {
          for (const f of functions.filter(
            (f) => f.namespace_id === namespaceId,
          )) {
            deleteFunction(f.id);
          }
        },
      });
      registerFunctionRoutes(router, {
        namespaces,
        functions,
        clock,
        uploads,
        deleteFunction,
      });
      registerTriggerRoutes(router, {
        functions,
        crons,
        triggers,
        ownerOf: (functionId) => {
          const namespaceId = functions.get(functionId)?.namespace_id ?? '';
          return {
            namespaceId,
            projectId: namespaces.get(namespaceId)?.project_id ?? '',
          };
        },
      });
    },
    async close() {
      await uploads?.close();

      if (temporaryDir) {
        rmSync(temporaryDir, { recursive: true, force: true });
      }
    },
  });
}

function functionCollection(store: ResourceStore): Collection<FunctionRecord> {
  return store.collection<FunctionRecord>(FUNCTION_KIND);
}

/**
 * The zip last uploaded for a function, read from where the upload URL
 * stored it; `undefined` when the function is unknown or has no code.
 *
 * @example
 * const zip = await readFunctionArchive(local.api.store, functionId);
 */
export async function readFunctionArchive(
  store: ResourceStore,
  functionId: string,
): Promise<Buffer | undefined> {
  const archive = functionCollection(store).get(functionId)?.archive;
  if (archive === undefined || archive === null) {
    return undefined;
  }

  return readArchiveFile(archive.path);
}

/**
 * How many times a function was deployed with code, and when the last
 * deployment became ready; `undefined` for an unknown function.
 */
export function readFunctionDeployments(
  store: ResourceStore,
  functionId: string,
): { count: number; lastReadyAt: string | null } | undefined {
  const record = functionCollection(store).get(functionId);
  if (record === undefined) {
    return undefined;
  }

  return { count: record.deployments, lastReadyAt: record.ready_at };
}
