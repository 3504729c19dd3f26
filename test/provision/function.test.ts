import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionEvent, FunctionResponse } from '../../lib/http/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { provisionHandler } from '../../lib/provision/handler.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

const TOKEN = 'test-function-token-0123456789';

let fixture: ProvisionFixture;
let handle: (event: FunctionEvent) => Promise<FunctionResponse>;
const logLines: string[] = [];
const responses: string[] = [];

/** A sample event of events/, with the test token. */
function sample(name: string, body?: (b: Record<string, unknown>) => void) {
  const event = JSON.parse(
    readFileSync(`events/${name}`, 'utf8'),
  ) as FunctionEvent & { headers: Record<string, string> };
  if (event.headers['X-Auth-Token'] !== undefined) {
    event.headers['X-Auth-Token'] = TOKEN;
  }
  if (body !== undefined && event.body) {
    const parsed = JSON.parse(event.body) as Record<string, unknown>;
    body(parsed);
    return { ...event, body: JSON.stringify(parsed) };
  }

  return event;
}

async function call(event: FunctionEvent) {
  const response = await handle(event);
  responses.push(response.body);

  return { status: response.statusCode, body: JSON.parse(response.body) };
}

beforeAll(async () => {
  fixture = await startProvisionFixture();
  const logger = createLogger({
    name: 'provision',
    destination: { write: (line: string) => logLines.push(line) },
  });
  handle = provisionHandler({
    auth: { token: TOKEN },
    logger,
    context: async () => ({ ...fixture.context, logger }),
  });
});

afterAll(() => fixture.close());

describe('provision function over HTTP', () => {
  it.each([
    { label: 'no token', headers: {} },
    { label: 'a wrong token', headers: { 'X-Auth-Token': 'nope' } },
  ])('answers 401 with $label and changes nothing', async ({ headers }) => {
    const event = { ...sample('provision-http-apply.json'), headers };
    fixture.platform.controls.counters.reset();

    const { status } = await call(event);

    expect(status).toBe(401);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('answers 400 with every problem of a malformed request', async () => {
    const event = sample('provision-http-apply.json', (b) => {
      b.requestId = 'bad id with spaces';
      b.environment = 'prod';
      delete b.stack;
    });

    const { status, body } = await call(event);

    expect(status).toBe(400);
    expect(JSON.stringify(body)).toMatch(/requestId/);
    expect(JSON.stringify(body)).toMatch(/environment/);
  });

  it('answers 422 with every finding of a stack breaking policy', async () => {
    const event = sample('provision-http-apply.json', (b) => {
      const stack = b.stack as Record<string, Record<string, unknown>>;
      (stack.database as Record<string, unknown>).encryptionAtRest = false;
      (stack.database as Record<string, unknown>).sslMode = 'disable';
    });
    fixture.platform.controls.counters.reset();
    const stateWrites = fixture.stateWrites();

    const { status, body } = await call(event);

    expect(status).toBe(422);
    expect(JSON.stringify(body).match(/ruleId/g)?.length).toBeGreaterThan(1);
    expect(fixture.apiWrites()).toBe(0);
    // not even a lock claim: the policy is checked before the lock
    expect(fixture.stateWrites()).toBe(stateWrites);
  });

  it("refuses another stage's environment with 422, writing nothing", async () => {
    const staging = provisionHandler({
      auth: { token: TOKEN },
      logger: createLogger({ name: 'provision', level: 'silent' }),
      context: async () => ({ ...fixture.context, environment: 'staging' }),
    });
    fixture.platform.controls.counters.reset();
    const stateWrites = fixture.stateWrites();

    const response = await staging(sample('provision-http-apply.json'));

    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/serves staging, not production/);
    expect(fixture.apiWrites()).toBe(0);
    expect(fixture.stateWrites()).toBe(stateWrites);
  });

  it('plans the production example', async () => {
    const { status, body } = await call(sample('provision-http-plan.json'));

    expect(status).toBe(200);
    expect(body.plan.summary.create).toBeGreaterThan(20);
  });

  it('lets one of two concurrent applies run, the other gets 409', async () => {
    const first = sample('provision-http-apply.json');
    const second = sample('provision-http-apply.json', (b) => {
      b.requestId = 'apply-production-0002';
    });

    const answers = await Promise.all([call(first), call(second)]);

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409]);
  });

  it('tags the audit events of an apply with its request id', () => {
    const changes = fixture.events.filter((e) => e.operation === 'create');

    expect(changes.length).toBeGreaterThan(20);
    const ids = new Set(changes.map((e) => e.request_id));
    expect([...ids]).toHaveLength(1);
    expect(['apply-production-0001', 'apply-production-0002']).toContain(
      [...ids][0],
    );
  });

  it('answers a repeated request id from its stored answer', async () => {
    fixture.platform.controls.counters.reset();

    const { status, body } = await call(sample('provision-http-apply.json'));

    expect(status).toBe(200);
    expect(body.replayed).toBe(true);
    expect(fixture.platform.controls.counters.snapshot().total).toBe(0);
  });

  it('refuses a message with a reused id and another body', async () => {
    const event = sample('provision-queue-patch.json', (b) => {
      b.requestId = 'apply-production-0001';
    });

    const { status, body } = await call(event);

    expect(status).toBe(200);
    expect(body.status).toBe('rejected');
  });

  it('refuses a reused request id with another body (422)', async () => {
    const event = sample('provision-http-apply.json', (b) => {
      b.allowReplace = true;
    });

    const { status, body } = await call(event);

    expect(status).toBe(422);
    expect(body.message ?? body.error?.message ?? '').toMatch(/already used/);
  });

  it('returns the applied state', async () => {
    const { status, body } = await call(sample('provision-http-state.json'));
    const missing = await call({
      ...sample('provision-http-state.json'),
      path: '/state/staging',
    });

    expect(status).toBe(200);
    expect(body.environment).toBe('production');
    expect(missing.status).toBe(404);
  });
});

describe('provision function from the queue', () => {
  it('applies a message', async () => {
    const { status, body } = await call(sample('provision-queue-apply.json'));

    expect(status).toBe(200);
    expect(body.status).toBe('processed');
  });

  it('adds a secret consumed by a container (patch), once', async () => {
    const event = sample('provision-queue-patch.json');

    const first = await call(event);
    fixture.platform.controls.counters.reset();
    const again = await call(event);
    const calls = fixture.platform.controls.counters.snapshot().total;
    const state = await call(sample('provision-http-state.json'));

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(calls).toBe(0);
    const names = state.body.resources.map((r: { name: string }) => r.name);
    expect(names).toContain('search-api-key-production');
    const api = state.body.resources.find(
      (r: { name: string }) => r.name === 'api-production',
    );
    expect(api.attributes.secretEnv).toMatch(/SEARCH_API_KEY=search-api-key/);
  });
});

describe('secret values', () => {
  it('appear in no response, log line or audit event', async () => {
    const { secret } = fixture.context.clients;
    const secrets = await secret
      .listSecrets({ region: 'fr-par', scheduledForDeletion: false })
      .all();
    const values: string[] = [];
    for (const s of secrets.filter((x) => x.versionCount > 0)) {
      const access = await secret.accessSecretVersion({
        region: 'fr-par',
        secretId: s.id,
        revision: 'latest_enabled',
      });
      const text = Buffer.from(access.data, 'base64').toString('utf8');
      values.push(text);
      try {
        const password = (JSON.parse(text) as { password?: string }).password;
        if (password) values.push(password);
      } catch {
        // not JSON: the value itself is what must not leak
      }
    }
    const haystack = [
      ...responses,
      ...logLines,
      ...fixture.events.map((e) => JSON.stringify(e)),
    ].join('\n');

    expect(values.length).toBeGreaterThan(5);
    const leaked = values.filter((v) => haystack.includes(v));
    expect(leaked).toEqual([]);
  });
});
