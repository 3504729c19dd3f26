import { verify } from '@node-rs/argon2';
import { Errors } from '@scaleway/sdk-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS } from '../../../local/defaults.ts';
import {
  readFunctionArchive,
  readFunctionDeployments,
} from '../../../local/scaleway/function/index.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const FAST = { minDelay: 1, maxDelay: 1, timeout: 10 };
const ZIP = Buffer.from('PK\u0003\u0004 fake zip bytes');

let local: TestScalewayApi;
let namespaceId: string;

beforeAll(async () => {
  local = await startTestScalewayApi();
  const namespace = await local.function.createNamespace({
    name: 'evalap-infra',
    secretEnvironmentVariables: [{ key: 'SHARED', value: 'shared-value' }],
  });
  namespaceId = namespace.id;
});

afterAll(async () => {
  await local?.close();
});

function createFunction(name: string) {
  return local.function.createFunction({
    namespaceId,
    name,
    runtime: 'node22',
    handler: 'functions/rotate.handle',
    memoryLimit: 512,
    timeout: '120s',
    privacy: 'private',
    minScale: 0,
    maxScale: 2,
    environmentVariables: { STAGE: 'dev' },
    secretEnvironmentVariables: [{ key: 'TOKEN', value: 'token-value' }],
  });
}

async function uploadCode(functionId: string, body: Buffer = ZIP) {
  const upload = await local.function.getFunctionUploadURL({
    functionId,
    contentLength: body.length,
  });
  const response = await fetch(upload.url, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream' },
  });

  return { upload, response };
}

describe('Functions', () => {
  it('creates a function with runtime, limits and hashed secrets', async () => {
    const created = await createFunction('rotate');
    const [secret] = created.secretEnvironmentVariables;

    expect(created).toMatchObject({
      status: 'created',
      runtime: 'node22',
      handler: 'functions/rotate.handle',
      memoryLimit: 512,
      cpuLimit: 280,
      timeout: '120s',
      privacy: 'private',
      maxScale: 2,
    });
    expect(await verify(secret?.hashedValue ?? '', 'token-value')).toBe(true);
  });

  it('refuses an unknown runtime with InvalidArgumentsError', async () => {
    const attempt = local.function.createFunction({
      namespaceId,
      name: 'cobol',
      runtime: 'cobol85' as never,
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('stores the zip PUT to the upload URL, without a token header', async () => {
    const created = await createFunction('upload');

    const { upload, response } = await uploadCode(created.id);

    expect(response.status).toBe(200);
    expect(upload.headers).toEqual({
      'content-type': ['application/octet-stream'],
    });
    expect(await readFunctionArchive(local.api.store, created.id)).toEqual(ZIP);
  });

  it('refuses an upload with a forged token', async () => {
    const created = await createFunction('forged');
    const { upload } = await uploadCode(created.id);

    const forged = upload.url.replace(/token=[0-9a-f]+/, 'token=00');
    const response = await fetch(forged, { method: 'PUT', body: 'x' });

    expect(response.status).toBe(403);
  });

  it.each([
    { case: 'uploaded code', upload: true, status: 'ready', count: 1 },
    { case: 'no code', upload: false, status: 'error', count: 0 },
  ])('deploys with $case: pending then $status', async (row) => {
    const created = await createFunction(`deploy-${row.status}`);
    if (row.upload) {
      await uploadCode(created.id);
    }

    const deploying = await local.function.deployFunction({
      functionId: created.id,
    });
    const settled = await local.function.waitForFunction(
      { functionId: created.id },
      FAST,
    );

    expect(deploying.status).toBe('pending');
    expect(settled.status).toBe(row.status);
    expect(readFunctionDeployments(local.api.store, created.id)?.count).toBe(
      row.count,
    );
  });

  it('lists on the path the serverless plugin uses', async () => {
    const response = await fetch(
      `${local.url}/functions/v1beta1/regions/fr-par/namespaces/${namespaceId}/functions`,
      { headers: { 'x-auth-token': LOCAL_DEFAULTS.secretKey } },
    );
    const body = (await response.json()) as {
      functions: { namespace_id: string }[];
      total_count: number;
    };

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body.total_count).toBe(body.functions.length);
    expect(body.functions.every((f) => f.namespace_id === namespaceId)).toBe(
      true,
    );
  });

  it('deletes with 200 deleting, then a type-less 404', async () => {
    const created = await createFunction('doomed');

    const deleted = await local.function.deleteFunction({
      functionId: created.id,
    });
    const error = await local.function
      .getFunction({ functionId: created.id })
      .catch((e: unknown) => e);

    expect(deleted.status).toBe('deleting');
    expect(error).not.toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((error as Errors.ScalewayError).status).toBe(404);
  });
});

describe('Function triggers', () => {
  it('creates, lists and deletes a CRON trigger', async () => {
    const target = await createFunction('cron-target');

    const cron = await local.function.createCron({
      functionId: target.id,
      schedule: '0 3 * * *',
      args: { job: 'drift' },
      name: 'nightly',
    });
    const ready = await local.function.waitForCron({ cronId: cron.id }, FAST);
    const listed = await local.function.listCrons({ functionId: target.id });
    const deleted = await local.function.deleteCron({ cronId: cron.id });

    expect(cron.status).toBe('pending');
    expect(ready).toMatchObject({ status: 'ready', args: { job: 'drift' } });
    expect(listed.crons.map((c) => c.id)).toEqual([cron.id]);
    expect(deleted.status).toBe('deleting');
  });

  it.each([
    { case: 'six fields', schedule: '0 0 3 * * *', name: 'cron-six' },
    { case: 'garbage', schedule: 'every night', name: 'cron-garbage' },
  ])('refuses a CRON schedule with $case', async ({ schedule, name }) => {
    const target = await createFunction(name);

    const attempt = local.function.createCron({
      functionId: target.id,
      schedule,
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('creates a queue trigger and lists it by function', async () => {
    const target = await createFunction('queue-target');

    const trigger = await local.function.createTrigger({
      functionId: target.id,
      name: 'audit-queue',
      scwSqsConfig: {
        queue: 'audit-events',
        mnqProjectId: LOCAL_DEFAULTS.projectId,
        mnqRegion: 'fr-par',
      },
    });
    const listed = await local.function.listTriggers({
      functionId: target.id,
    });

    expect(trigger).toMatchObject({
      status: 'pending',
      inputType: 'scw_sqs',
      scwSqsConfig: { queue: 'audit-events', mnqRegion: 'fr-par' },
    });
    expect(listed.triggers.map((t) => t.id)).toEqual([trigger.id]);
    expect(listed.totalCount).toBe(1);
  });
});
