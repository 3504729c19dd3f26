import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftCommand } from '../../cli/commands/drift.ts';
import cronEvent from '../../events/check-drift-cron.json' with {
  type: 'json',
};
import reportEvent from '../../events/check-drift-get-report.json' with {
  type: 'json',
};
import type { AuditEvent } from '../../lib/audit/event.ts';
import { AuditLogger } from '../../lib/audit/logger.ts';
import { checkDriftHandler } from '../../lib/drift/function.ts';
import type { FunctionHandler } from '../../lib/http/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import type { Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  startDriftPlatform,
} from './fixture.ts';

const TOKEN = 'drift-test-token-0123456789';

describe('check-drift entry points', () => {
  let platform: DriftPlatform;
  let stack: Stack;
  let ids: AppliedIds;
  let handle: FunctionHandler;
  const events: AuditEvent[] = [];
  const checkOptions = () => ({
    stack,
    apis: platform.local,
    organizationId: LOCAL_DEFAULTS.organizationId,
    secretEnv: ids.secretEnv,
    audit: new AuditLogger({
      environment: stack.environment,
      sinks: [{ name: 'memory', write: async (e) => void events.push(e) }],
    }),
  });

  beforeAll(async () => {
    platform = await startDriftPlatform();
    stack = driftStack();
    ids = await applyForTest(platform.local, stack);
    handle = checkDriftHandler({
      logger: createLogger({ level: 'silent' }),
      auth: { token: TOKEN },
      runtime: async () => ({
        environment: stack.environment,
        store: platform.reports,
        check: async () => checkOptions(),
      }),
    });
  });

  afterAll(() => platform.close());

  /** Calls the handler with `token`, or with no token for `null`. */
  const call = (event: object, token: string | null = TOKEN) =>
    handle({
      ...(event as { httpMethod: string; path: string }),
      headers: token === null ? {} : { 'x-auth-token': token },
    });

  describe('the function', () => {
    it.each([
      {
        case: 'GET /drift before any check',
        event: reportEvent,
        token: TOKEN,
        status: 404,
      },
      {
        case: 'a CRON body with another job',
        event: { ...cronEvent, body: '{"job":"rotate-due"}' },
        token: TOKEN,
        status: 400,
      },
      {
        case: 'GET /drift with a wrong token',
        event: reportEvent,
        token: 'wrong-token-0123456789',
        status: 401,
      },
      {
        case: 'GET /drift without a token',
        event: reportEvent,
        token: null,
        status: 401,
      },
    ])('answers $status to $case', async (row) => {
      const response = await call(row.event, row.token);

      expect(response.statusCode).toBe(row.status);
    });

    it('runs a check on its CRON, which carries no token, and serves the report', async () => {
      const checked = await call(cronEvent, null);
      const markdown = await call(reportEvent);
      const json = await call({ ...reportEvent, queryStringParameters: {} });

      expect(checked.statusCode).toBe(200);
      expect(JSON.parse(checked.body)).toMatchObject({ status: 'clean' });
      expect(markdown.statusCode).toBe(200);
      expect(markdown.headers['Content-Type']).toContain('text/markdown');
      expect(markdown.body).toContain('Status: **clean**');
      expect(JSON.parse(json.body)).toMatchObject({ status: 'clean' });
      expect(events).toEqual([]);
    });

    it('writes one drift-detected audit event per new drift', async () => {
      await platform.local.container.updateContainer({
        containerId: ids.container,
        privacy: 'public',
      });

      await call(cronEvent);
      await call(cronEvent);

      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        operation: 'drift',
        resource_type: 'Stack',
        details: { event: 'drift-detected', new_findings: 1 },
      });
    });
  });

  describe('evalap-infra drift', () => {
    it('exits 1 on drift and 0 once it is fixed', async () => {
      const runtime = async () => ({ ...checkOptions(), target: 'test' });
      const quiet = silenceOutput();

      const drifted = await driftCommand('stack.yaml', {}, runtime);
      await platform.local.container.updateContainer({
        containerId: ids.container,
        privacy: 'private',
      });
      const clean = await driftCommand('stack.yaml', {}, runtime);
      quiet.restore();

      expect([drifted, clean]).toEqual([1, 0]);
      expect(quiet.stdout()).toContain('privacy');
    });

    it('exits 2 when a type cannot be listed', async () => {
      platform.controls.faults.add({
        route: 'GET /vpc/*',
        kind: 'error',
        status: 503,
      });
      const runtime = async () => ({
        ...checkOptions(),
        retry: { retries: 1, minDelayMs: 1 },
        target: 'test',
      });
      const quiet = silenceOutput();

      const code = await driftCommand('stack.yaml', { json: true }, runtime);
      quiet.restore();
      platform.controls.faults.clear();

      expect(code).toBe(2);
      expect(JSON.parse(quiet.stdout()).types.vpc.status).toBe('unknown');
    });
  });
});

function silenceOutput() {
  const writes: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;

  return {
    stdout: () => writes.join(''),
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}
