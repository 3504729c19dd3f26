import type { Containerv1beta1 } from '@scaleway/sdk-container';
import { scrubChange } from '../../audit/scrub.ts';
import {
  type CompanionPart,
  companionsOfContainer,
} from '../../secrets/companions.ts';
import { bindingsOfContainer, type StackContainer } from '../../stack/index.ts';
import {
  formatKeyPairs,
  parseKeyPairs,
  SECRET_ENV_HASHES,
  secretHashDigest,
} from '../../state/secret-hashes.ts';
import { UnmanagedResourceError } from '../errors.ts';
import { hashMatches } from '../hashes.ts';
import { isManaged, managedTags } from '../tags.ts';
import type { FieldChange } from '../types.ts';
import type { ProvisionWalk } from '../walk.ts';

type Api = Containerv1beta1.API;

/**
 * The container namespace and its containers. Secret environment
 * variables carry the current value of their secret; the API keeps only
 * an argon2id hash, so a variable is up to date when the hash verifies
 * the value read from Secret Manager (values are never logged or shown).
 * A variable whose secret has no value yet (manual) is left out and
 * reported.
 */
export async function convergeContainers(walk: ProvisionWalk): Promise<void> {
  const declared = walk.stack.containers;
  const { container: api } = walk.context.clients;
  const region = walk.region;

  const namespaces = await walk.call('list container namespaces', () =>
    api.listNamespaces({ region, projectId: walk.projectId }).all(),
  );

  let namespaceId: string | undefined;
  let live: Containerv1beta1.Container[] = [];
  if (declared !== undefined) {
    namespaceId = await convergeNamespace(walk, api, namespaces);
    const id = namespaceId;
    live =
      id === undefined
        ? []
        : await walk.call('list containers', () =>
            api.listContainers({ region, namespaceId: id }).all(),
          );
    for (const container of declared.items) {
      await convergeContainer(walk, api, namespaceId, live, container);
    }
  }

  const kept = new Set(walk.resources.map((r) => r.id));
  for (const container of live) {
    if (kept.has(container.id)) continue;
    walk.orphans.push({
      item: orphan('container', container.name, container.id),
      remove: async () => {
        await api.deleteContainer({ region, containerId: container.id });
      },
    });
  }
  for (const namespace of namespaces) {
    if (!isManaged(namespace.tags, walk.environment)) continue;
    if (namespace.id === namespaceId) continue;
    walk.orphans.push({
      item: orphan('container-namespace', namespace.name, namespace.id),
      remove: async () => {
        await api.deleteNamespace({ region, namespaceId: namespace.id });
      },
    });
  }
}

async function convergeNamespace(
  walk: ProvisionWalk,
  api: Api,
  namespaces: Containerv1beta1.Namespace[],
): Promise<string | undefined> {
  const declared = walk.stack.containers;
  if (declared === undefined) return undefined;

  const name = walk.deployed(declared.namespace.name);
  const live = namespaces.find((namespace) => namespace.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError(
      'container namespace',
      name,
      walk.environment,
    );
  }

  let id = live?.id;
  if (live === undefined) {
    const created = await walk.change(
      { kind: 'container-namespace', name, action: 'create' },
      () =>
        walk.call(`create container namespace ${name}`, () =>
          api.createNamespace({
            region: walk.region,
            projectId: walk.projectId,
            name,
            tags: managedTags(walk.environment),
            activateVpcIntegration: declared.namespace.vpcIntegration,
          }),
        ),
    );
    id = created?.id;
  } else {
    walk.unchanged('container-namespace', name, live.id);
  }

  if (id !== undefined) {
    walk.applied({
      kind: 'container-namespace',
      name,
      id,
      region: walk.region,
    });
  }

  return id;
}

/** What the API should hold for one container. */
interface DesiredContainer {
  request: Omit<Containerv1beta1.CreateContainerRequest, 'namespaceId'>;
  /** Secret environment variable → its secret, for secrets with a value. */
  secrets: Map<string, string>;
  /** Variables left out: their secret has no value yet. */
  missing: string[];
  /**
   * Companion variables (lib/secrets/companions.ts) → what they hold. A
   * role is in `secrets` too, set here; an access key is rotation's, kept
   * as it is and never removed.
   */
  companions: Map<string, CompanionPart>;
}

/** Which secret environment variables are current, and their digests. */
interface SecretEnvCheck {
  changes: FieldChange[];
  /** Variable → the hash it holds, when verified current. */
  verified: Map<string, string>;
}

function desiredContainer(
  walk: ProvisionWalk,
  declared: StackContainer,
): DesiredContainer {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const binding of bindingsOfContainer(walk.stack, declared.name)) {
    if (walk.willHaveValue(binding.secret)) {
      secrets.set(binding.env, binding.secret);
    } else {
      missing.push(binding.env);
    }
  }
  const companions = new Map<string, CompanionPart>();
  for (const companion of companionsOfContainer(walk.stack, declared.name)) {
    if (!secrets.has(companion.of)) continue;

    companions.set(companion.env, companion.part);
    if (companion.part === 'username') {
      secrets.set(companion.env, companion.secret);
    }
  }
  const networkId = declared.privateNetwork
    ? walk.ids.get('private-network')
    : undefined;

  return {
    request: {
      region: walk.region,
      name: walk.deployed(declared.name),
      registryImage: declared.image,
      cpuLimit: declared.cpu,
      memoryLimit: declared.memory,
      minScale: declared.minScale,
      maxScale: declared.maxScale,
      port: declared.port,
      timeout: `${declared.timeoutSeconds}s`,
      privacy: declared.privacy,
      environmentVariables: declared.env,
      tags: managedTags(walk.environment),
      ...(networkId === undefined ? {} : { privateNetworkId: networkId }),
    },
    secrets,
    missing,
    companions,
  };
}

async function convergeContainer(
  walk: ProvisionWalk,
  api: Api,
  namespaceId: string | undefined,
  containers: Containerv1beta1.Container[],
  declared: StackContainer,
): Promise<void> {
  const desired = desiredContainer(walk, declared);
  const name = desired.request.name;
  const live = containers.find((container) => container.name === name);
  const note =
    desired.missing.length === 0
      ? undefined
      : `${desired.missing.join(', ')} left out until its secret has a value`;

  if (live === undefined) {
    const created = await walk.change(
      {
        kind: 'container',
        name,
        action: 'create',
        ...(note === undefined ? {} : { reason: note }),
        details: {
          image: declared.image,
          cpu: declared.cpu,
          memory: declared.memory,
          secret_env: [...desired.secrets.keys()],
        },
      },
      async () => {
        const secretEnvironmentVariables = await secretValues(walk, desired, [
          ...desired.secrets.keys(),
        ]);
        const container = await walk.call(`create container ${name}`, () =>
          api.createContainer({
            ...desired.request,
            namespaceId: namespaceId as string,
            secretEnvironmentVariables,
          }),
        );
        await walk.call(`deploy container ${name}`, () =>
          api.deployContainer({
            region: walk.region,
            containerId: container.id,
          }),
        );

        return container;
      },
    );
    if (created !== undefined) {
      record(walk, declared, created, desired, written(created, desired));
    }
    return;
  }

  const checked = await containerChanges(walk, live, desired);
  const { changes } = checked;
  if (changes.length === 0) {
    walk.unchanged('container', name, live.id, note);
    record(walk, declared, live, desired, checked.verified);
    return;
  }

  const updated = await walk.change(
    {
      kind: 'container',
      name,
      action: 'update',
      id: live.id,
      changes,
      ...(note === undefined ? {} : { reason: note }),
    },
    async () => {
      if (changes.every((c) => c.field === 'deployed')) {
        await walk.call(`deploy container ${name}`, () =>
          api.deployContainer({ region: walk.region, containerId: live.id }),
        );
        return undefined;
      }
      const request = await updateRequest(walk, live, desired, changes);

      return walk.call(`update container ${name}`, () =>
        api.updateContainer(request),
      );
    },
  );
  const verified =
    updated === undefined ? checked.verified : written(updated, desired);
  record(walk, declared, live, desired, verified);
}

/**
 * Compares a live container with the desired one. A secret variable is
 * current when the hash it holds is the one recorded by the last apply
 * for the secret's present version (no read), or else when the hash
 * verifies the value read from Secret Manager.
 */
async function containerChanges(
  walk: ProvisionWalk,
  live: Containerv1beta1.Container,
  desired: DesiredContainer,
): Promise<SecretEnvCheck> {
  const { request } = desired;
  const changes: FieldChange[] = [];
  const compare = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes.push({ field, ...scrubChange(from, to) });
    }
  };

  if (live.status === 'created') {
    changes.push({ field: 'deployed', from: false, to: true });
  }
  compare('image', live.registryImage, request.registryImage);
  compare('cpu', live.cpuLimit, request.cpuLimit);
  compare('memory', live.memoryLimit, request.memoryLimit);
  compare('minScale', live.minScale, request.minScale);
  compare('maxScale', live.maxScale, request.maxScale);
  compare('port', live.port, request.port);
  compare('timeout', live.timeout, request.timeout);
  compare('privacy', live.privacy, request.privacy);
  compare(
    'env',
    sorted(live.environmentVariables),
    sorted(request.environmentVariables ?? {}),
  );
  compare(
    'privateNetworkId',
    live.privateNetworkId ?? null,
    request.privateNetworkId ?? null,
  );

  const hashes = new Map(
    live.secretEnvironmentVariables.map((s) => [s.key, s.hashedValue]),
  );
  const recorded = recordedFingerprints(walk, live.name);
  const verified = new Map<string, string>();
  const checks = [...desired.secrets].map(async ([key, secret]) => {
    const hash = hashes.get(key);
    if (hash === undefined) {
      return { field: `secretEnv.${key}`, from: '(unset)', to: '(set)' };
    }
    const fingerprint = walk.fingerprint(secret, hash);
    const current =
      recorded.get(key) === fingerprint ||
      (await holdsValue(walk, secret, hash, desired.companions.get(key)));
    if (!current) {
      return { field: `secretEnv.${key}`, from: '(stale)', to: '(current)' };
    }
    verified.set(key, hash);

    return undefined;
  });
  for (const change of await Promise.all(checks)) {
    if (change !== undefined) changes.push(change);
  }
  for (const key of hashes.keys()) {
    const declared =
      desired.secrets.has(key) ||
      desired.missing.includes(key) ||
      desired.companions.has(key);
    if (!declared) {
      changes.push({ field: `secretEnv.${key}`, from: '(set)', to: '(unset)' });
    }
  }

  return { changes, verified };
}

/**
 * Whether `hash` verifies what the variable receives: the consumer value
 * of `secret`, or its role for a `username` companion.
 */
async function holdsValue(
  walk: ProvisionWalk,
  secret: string,
  hash: string,
  part: CompanionPart | undefined,
): Promise<boolean> {
  const value = await variableValue(walk, secret, part);

  return value !== undefined && (await hashMatches(hash, value));
}

function variableValue(
  walk: ProvisionWalk,
  secret: string,
  part: CompanionPart | undefined,
): Promise<string | undefined> {
  return part === 'username'
    ? walk.consumerUsername(secret)
    : walk.consumerValue(secret);
}

/** The secret variables to send, with the values of their secrets. */
async function secretValues(
  walk: ProvisionWalk,
  desired: DesiredContainer,
  keys: string[],
): Promise<Containerv1beta1.Secret[]> {
  const variables: Containerv1beta1.Secret[] = [];
  for (const key of keys) {
    const secret = desired.secrets.get(key);
    const part = desired.companions.get(key);
    const value =
      secret === undefined
        ? undefined
        : await variableValue(walk, secret, part);
    variables.push(value === undefined ? { key } : { key, value });
  }

  return variables;
}

async function updateRequest(
  walk: ProvisionWalk,
  live: Containerv1beta1.Container,
  desired: DesiredContainer,
  changes: FieldChange[],
): Promise<Containerv1beta1.UpdateContainerRequest> {
  const { request } = desired;
  const secretKeys = changes
    .filter((c) => c.field.startsWith('secretEnv.'))
    .map((c) => c.field.slice('secretEnv.'.length));
  const secretEnvironmentVariables = await secretValues(
    walk,
    desired,
    secretKeys,
  );

  return {
    region: request.region,
    containerId: live.id,
    registryImage: request.registryImage,
    cpuLimit: request.cpuLimit,
    memoryLimit: request.memoryLimit,
    minScale: request.minScale,
    maxScale: request.maxScale,
    port: request.port,
    timeout: request.timeout,
    privacy: request.privacy,
    environmentVariables: request.environmentVariables,
    ...(secretEnvironmentVariables.length === 0
      ? {}
      : { secretEnvironmentVariables }),
    ...networkChange(live, request.privateNetworkId),
    redeploy: true,
  } as Containerv1beta1.UpdateContainerRequest;
}

/** Attach, keep, or detach (an empty id detaches). */
function networkChange(
  live: Containerv1beta1.Container,
  wanted: string | undefined,
): { privateNetworkId?: string } {
  if (wanted !== undefined) return { privateNetworkId: wanted };

  return live.privateNetworkId ? { privateNetworkId: '' } : {};
}

/** The same variables with their keys in order, so equal maps compare. */
function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The fingerprint attribute of a container: `KEY=digest,...`. */
const FINGERPRINTS = 'secretEnvFingerprints';

/**
 * Adds a container to the applied state with, for each verified secret
 * variable, the fingerprint a later apply compares (`walk.fingerprint`)
 * and the hash digest drift compares (`SECRET_ENV_HASHES`).
 */
// Limitation (#6): the state is written once, after the whole apply. An
// apply that fails after updating a container records nothing for it, so
// drift reports its secret variables `changed` until an apply succeeds.
function record(
  walk: ProvisionWalk,
  declared: StackContainer,
  container: Containerv1beta1.Container,
  desired: DesiredContainer,
  verified: Map<string, string>,
): void {
  const fingerprints = new Map<string, string>();
  const digests = new Map<string, string>();
  for (const [key, hash] of verified) {
    const secret = desired.secrets.get(key);
    if (secret === undefined) continue;
    fingerprints.set(key, walk.fingerprint(secret, hash));
    digests.set(key, secretHashDigest(hash));
  }

  walk.applied({
    kind: 'container',
    name: container.name,
    id: container.id,
    region: walk.region,
    attributes: {
      privateNetwork: declared.privateNetwork,
      secretEnv: bindingsOfContainer(walk.stack, declared.name)
        .map((b) => `${b.env}=${walk.deployed(b.secret)}`)
        .join(','),
      ...(verified.size === 0
        ? {}
        : {
            [FINGERPRINTS]: formatKeyPairs(fingerprints),
            [SECRET_ENV_HASHES]: formatKeyPairs(digests),
          }),
    },
  });
}

/** The fingerprints the last apply recorded for a container. */
function recordedFingerprints(
  walk: ProvisionWalk,
  name: string,
): Map<string, string> {
  const previous = walk.previous('container', name);

  return parseKeyPairs(previous?.attributes?.[FINGERPRINTS]);
}

/** The hashes a create or update response holds, by variable. */
function written(
  container: Containerv1beta1.Container,
  desired: DesiredContainer,
): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const { key, hashedValue } of container.secretEnvironmentVariables) {
    if (desired.secrets.has(key) && hashedValue) hashes.set(key, hashedValue);
  }

  return hashes;
}

function orphan(
  kind: 'container' | 'container-namespace',
  name: string,
  id: string,
) {
  return {
    kind,
    name,
    action: 'delete' as const,
    changes: [],
    id,
    reason: 'no longer declared',
  };
}
