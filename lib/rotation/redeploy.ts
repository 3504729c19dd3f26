import type { Containerv1beta1 } from '@scaleway/sdk-container';
import { argon2idMatches } from '../secrets/argon2.ts';
import { RotationSetupError } from './errors.ts';
import type { RotationRun } from './run-context.ts';
import type { EnvValue } from './values.ts';

/** The new values one container must receive in this run. */
export interface ContainerChange {
  /** Base name. */
  container: string;
  containerId: string;
  /** Secrets (base names) the values come from. */
  secrets: string[];
  values: EnvValue[];
}

/** What happened to one container. */
export interface ContainerOutcome {
  change: ContainerChange;
  /** True when it was deployed (false: it already held every value). */
  deployed: boolean;
  /** Once verified: the hash each changed variable holds, by key. */
  hashes?: Map<string, string>;
  error?: unknown;
}

/**
 * Whether a container's secret variables hold `values`, compared with the
 * argon2id hashes the API returns (it never returns a value).
 */
export async function holdsValues(
  container: Containerv1beta1.Container,
  values: readonly EnvValue[],
): Promise<boolean> {
  const hashes = new Map(
    container.secretEnvironmentVariables.map((s) => [s.key, s.hashedValue]),
  );
  const checks = values.map(async ({ key, value }) => {
    const hash = hashes.get(key);
    if (hash === undefined) return false;
    return argon2idMatches(hash, value);
  });

  return (await Promise.all(checks)).every(Boolean);
}

/**
 * Gives one container its new values with ONE update (secret variables
 * merge by key, `redeploy: true` deploys), waits until it is ready and
 * reads it back. When `mayHoldAlready` (a rotation resumed at this
 * step), a container that already holds every value is left alone: a
 * re-run after a crash does not deploy it again.
 */
export async function redeployContainer(
  run: RotationRun,
  change: ContainerChange,
  mayHoldAlready: boolean,
): Promise<ContainerOutcome> {
  try {
    if (mayHoldAlready) {
      const current = await getContainer(run, change);
      const holds =
        current.status === 'ready' &&
        (await holdsValues(current, change.values));
      if (holds) {
        run.verifiedContainers.add(change.containerId);
        return { change, deployed: false, hashes: hashesOf(current, change) };
      }
    }

    await run.call(`redeploy container ${change.container}`, () =>
      run.clients.container.updateContainer({
        region: run.region,
        containerId: change.containerId,
        secretEnvironmentVariables: change.values.map((v) => ({ ...v })),
        redeploy: true,
      }),
    );
    const ready = await waitUntilReady(run, change);
    if (!(await holdsValues(ready, change.values))) {
      throw new RotationSetupError(
        `container ${change.container} does not hold the new values after ` +
          'its deployment (hash read back differs)',
      );
    }

    run.verifiedContainers.add(change.containerId);

    return { change, deployed: true, hashes: hashesOf(ready, change) };
  } catch (error) {
    return { change, deployed: false, error };
  }
}

/** The hashes a verified container holds for the changed variables. */
function hashesOf(
  container: Containerv1beta1.Container,
  change: ContainerChange,
): Map<string, string> {
  const changed = new Set(change.values.map((value) => value.key));
  const hashes = new Map<string, string>();
  for (const { key, hashedValue } of container.secretEnvironmentVariables) {
    if (changed.has(key) && hashedValue) hashes.set(key, hashedValue);
  }

  return hashes;
}

/** Reads a container (one GET). */
export function getContainer(
  run: RotationRun,
  change: Pick<ContainerChange, 'container' | 'containerId'>,
): Promise<Containerv1beta1.Container> {
  return run.call(`get container ${change.container}`, () =>
    run.clients.container.getContainer({
      region: run.region,
      containerId: change.containerId,
    }),
  );
}

async function waitUntilReady(
  run: RotationRun,
  change: ContainerChange,
): Promise<Containerv1beta1.Container> {
  const timeoutMs = run.context.readyTimeoutMs ?? 300_000;
  const intervalMs = run.context.pollIntervalMs ?? 2_000;
  const started = Date.now();

  for (;;) {
    const container = await getContainer(run, change);
    if (container.status === 'ready') return container;
    if (container.status === 'error') {
      throw new RotationSetupError(
        `container ${change.container} failed to deploy: ` +
          (container.errorMessage ?? 'no message'),
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new RotationSetupError(
        `container ${change.container} not ready after ${timeoutMs} ms`,
      );
    }
    await run.sleep(intervalMs);
  }
}
