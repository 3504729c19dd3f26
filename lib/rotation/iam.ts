import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { ScalewayNotFoundError } from '../scaleway/index.ts';
import type { StackSecret } from '../stack/index.ts';
import { RotationSetupError } from './errors.ts';
import type { RotationRun } from './run-context.ts';

/** Description of the API key a rotation creates: names the rotation. */
export function apiKeyDescription(rotationId: string): string {
  return `evalap-infra rotation ${rotationId}`;
}

/** The IAM application id of an `iam-api-key` secret. */
export function applicationIdOf(run: RotationRun, secret: StackSecret) {
  if (secret.generator.kind !== 'iam-api-key') {
    throw new TypeError(`${secret.name} is not an IAM API key secret`);
  }

  return run.resourceId(
    'iam-application',
    run.deployed(secret.generator.application),
    secret.name,
  );
}

/** API keys a rotation created (found by description after a crash). */
export async function keysOfRotation(
  run: RotationRun,
  applicationId: string,
  rotationId: string,
): Promise<Iamv1alpha1.APIKey[]> {
  const keys = await run.call('list API keys of the application', () =>
    run.clients.iam.listAPIKeys({ bearerId: applicationId }).all(),
  );

  return keys.filter((k) => k.description === apiKeyDescription(rotationId));
}

/** Creates the application's new key; its secret is returned once. */
export function createApiKey(
  run: RotationRun,
  applicationId: string,
  rotationId: string,
): Promise<Iamv1alpha1.APIKey> {
  return run.call(
    'create API key',
    () =>
      run.clients.iam.createAPIKey({
        applicationId,
        description: apiKeyDescription(rotationId),
        defaultProjectId: run.stack.project.id,
      }),
    false,
  );
}

/**
 * Checks that a key exists, belongs to the application and has not
 * expired.
 *
 * @throws RotationSetupError when it does not hold.
 */
export async function checkApiKey(
  run: RotationRun,
  applicationId: string,
  accessKey: string,
): Promise<void> {
  const key = await run.call('get API key', () =>
    run.clients.iam.getAPIKey({ accessKey }),
  );
  const expired =
    key.expiresAt !== undefined && key.expiresAt.getTime() <= Date.now();
  if (key.applicationId !== applicationId || expired) {
    throw new RotationSetupError(
      'the new API key does not belong to the application or has expired',
    );
  }
}

/** Deletes a key; a key already gone is fine. */
export async function deleteApiKey(
  run: RotationRun,
  accessKey: string,
): Promise<void> {
  try {
    await run.call('delete API key', () =>
      run.clients.iam.deleteAPIKey({ accessKey }),
    );
  } catch (error) {
    if (error instanceof ScalewayNotFoundError) return;
    throw error;
  }
}

/**
 * The access key of the key in use before the first rotation: the
 * applied state's `iam-api-key` resource of this secret or application.
 */
export function provisionedAccessKey(
  run: RotationRun,
  secret: StackSecret,
): string | undefined {
  if (secret.generator.kind !== 'iam-api-key') return undefined;
  const application = run.deployed(secret.generator.application);

  return run.state.resources.find(
    (r) =>
      r.kind === 'iam-api-key' &&
      (r.attributes?.secret === secret.name ||
        r.attributes?.application === application ||
        r.name === application),
  )?.id;
}
