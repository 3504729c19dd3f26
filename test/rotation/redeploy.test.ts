import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RotationContext,
  type RotationReport,
  runRotation,
} from '../../lib/rotation/index.ts';
import { deployedName } from '../../lib/stack/index.ts';
import { readAppliedState } from '../../lib/state/index.ts';
import {
  recordedSecretHashes,
  secretHashDigest,
} from '../../lib/state/secret-hashes.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import {
  DAY_MS,
  provisionScenario,
  type Scenario,
  startRotationPlatform,
} from './fixture.ts';

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startRotationPlatform();
}, 60_000);

afterAll(() => platform?.close());

/**
 * Rotation clients that note, in call order, each deployment of a
 * container (`deploy api`), each read of it ready (`ready api`) and each
 * deletion of an API key (`delete-key SCW…`).
 */
function recordingClients(scenario: Scenario) {
  const calls: string[] = [];
  const { clients, stack } = scenario;
  const names = new Map(
    (stack.containers?.items ?? []).map((c) => [
      scenario.ids.get(
        `container:${deployedName(c.name, stack.environment)}`,
      ) ?? '',
      c.name,
    ]),
  );
  const nameOf = (id: string) => names.get(id) ?? id;
  const container = Object.create(
    clients.container,
  ) as typeof clients.container;
  container.updateContainer = async (request) => {
    calls.push(`deploy ${nameOf(request.containerId)}`);
    return clients.container.updateContainer(request);
  };
  container.deployContainer = async (request) => {
    calls.push(`deploy ${nameOf(request.containerId)}`);
    return clients.container.deployContainer(request);
  };
  container.getContainer = async (request) => {
    const live = await clients.container.getContainer(request);
    if (live.status === 'ready') calls.push(`ready ${live.name}`);
    return live;
  };
  const iam = Object.create(clients.iam) as typeof clients.iam;
  iam.deleteAPIKey = async (request) => {
    calls.push(`delete-key ${request.accessKey}`);
    return clients.iam.deleteAPIKey(request);
  };
  const context = (overrides: Partial<RotationContext> = {}) =>
    scenario.context({
      clients: { ...clients, container, iam },
      ...overrides,
    });

  return { calls, context };
}

describe('runRotation: several due secrets of one container', () => {
  let scenario: Scenario;
  let report: RotationReport;
  let calls: string[];
  let deploys: number;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'once');
    const recording = recordingClients(scenario);
    calls = recording.calls;
    // 181 days: the database password (90), api-key and the SSE-C key
    // (180) are due; api consumes all three, runners two of them
    platform.clock.advance(181 * DAY_MS);
    const before = scenario.deployCalls();

    report = await runRotation(scenario.stack, recording.context());

    deploys = scenario.deployCalls() - before;
  }, 60_000);

  it.each([
    {
      case: 'api',
      secrets: ['api-key', 'artifacts-sse-key', 'db-password'],
    },
    { case: 'runners', secrets: ['artifacts-sse-key', 'db-password'] },
  ])('deploys $case once, with every rotated secret', (row) => {
    const deployed = calls.filter((c) => c === `deploy ${row.case}`);

    const entry = report.redeployed.find((r) => r.container === row.case);

    expect(deployed).toHaveLength(1);
    expect([...(entry?.secrets ?? [])].sort()).toEqual(row.secrets);
  });

  it('makes one deployment per container on the platform', () => {
    const containers = report.redeployed.map((r) => r.container).sort();

    expect(containers).toEqual(['api', 'runners']);
    expect(deploys).toBe(2);
    expect(report.stuck).toEqual([]);
  });
});

describe('runRotation of an IAM API key', () => {
  let scenario: Scenario;
  let report: RotationReport;
  let calls: string[];
  let oldKey: string;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'order');
    const application = deployedName(
      'evalap-service',
      scenario.stack.environment,
    );
    oldKey = scenario.ids.get(`iam-api-key:${application}`) ?? '';
    const recording = recordingClients(scenario);
    calls = recording.calls;

    report = await runRotation(
      scenario.stack,
      recording.context({ graceMs: 0 }),
      { secret: 'service-api-key' },
    );
  }, 60_000);

  it('deletes the old key once every consumer is ready with the new', () => {
    const deletion = calls.indexOf(`delete-key ${oldKey}`);

    const readyAfterDeploy = ['api', 'runners'].map((container) => {
      const deployed = calls.lastIndexOf(`deploy ${container}`);
      const ready = calls.indexOf(
        `ready ${deployedName(container, scenario.stack.environment)}`,
        deployed,
      );
      return { container, deployed, ready };
    });

    expect(report.rotated).toMatchObject([
      { secret: 'service-api-key', step: 'finish' },
    ]);
    expect(oldKey).not.toBe('');
    expect(deletion).toBeGreaterThan(-1);
    for (const { container, deployed, ready } of readyAfterDeploy) {
      expect(deployed, `${container} deployed`).toBeGreaterThan(-1);
      expect(ready, `${container} ready`).toBeGreaterThan(deployed);
      expect(deletion, `deletion after ${container}`).toBeGreaterThan(ready);
    }
  });
});

describe('runRotation recording what it deployed, for drift', () => {
  let scenario: Scenario;
  let failed: RotationReport;
  let rerun: RotationReport;
  let deploysOfRerun: number;

  /** Refuses writes of the applied state while `refusing` is true. */
  let refusing = false;
  const refuseStateWrites = (scenario: Scenario) =>
    scenario.clients.s3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (
          refusing &&
          context.commandName === 'PutObjectCommand' &&
          key.endsWith('/state.json')
        ) {
          throw Object.assign(new Error('refused by the test'), {
            $metadata: { httpStatusCode: 503 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseStateWrites' },
    );

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'record');
    refuseStateWrites(scenario);
    // 91 days: only the database password is due
    platform.clock.advance(91 * DAY_MS);

    refusing = true;
    failed = await runRotation(scenario.stack, scenario.context());
    refusing = false;
    const before = scenario.deployCalls();
    rerun = await runRotation(scenario.stack, scenario.context());
    deploysOfRerun = scenario.deployCalls() - before;
  }, 60_000);

  afterAll(() => {
    scenario.clients.s3.middlewareStack.remove('refuseStateWrites');
  });

  it('leaves the rotation at redeploy when it cannot record', () => {
    const stuck = failed.stuck.map((s) => [s.secret, s.step]);

    expect(stuck).toEqual([['db-password', 'redeploy']]);
    expect(failed.redeployed.map((r) => r.container).sort()).toEqual([
      'api',
      'runners',
    ]);
  });

  it('records on the re-run without deploying again', async () => {
    const applied = await readAppliedState(
      scenario.clients.s3,
      scenario.stateBucket,
      'production',
    );
    const recorded = recordedSecretHashes(
      applied?.state ?? fail('no applied state'),
    );

    expect(rerun.stuck).toEqual([]);
    expect(deploysOfRerun).toBe(0);
    for (const container of ['api', 'runners']) {
      const name = deployedName(container, 'production');
      const live = await scenario.clients.container.getContainer({
        region: scenario.stack.region,
        containerId: scenario.ids.get(`container:${name}`) ?? '',
      });
      const hash = live.secretEnvironmentVariables.find(
        (s) => s.key === 'DATABASE_PASSWORD',
      )?.hashedValue;

      expect(recorded.get(name)?.get('DATABASE_PASSWORD')).toBe(
        secretHashDigest(hash ?? ''),
      );
    }
  });
});

function fail(reason: string): never {
  throw new Error(reason);
}
