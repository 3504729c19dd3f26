import type { Containerv1beta1 } from '@scaleway/sdk-container';
import { bindingsOfContainer, type StackContainer } from '../../stack/index.ts';
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

/** What the API should hold for one container, secrets as values. */
interface DesiredContainer {
  request: Omit<Containerv1beta1.CreateContainerRequest, 'namespaceId'>;
  secrets: Map<string, string>;
  missing: string[];
}

async function desiredContainer(
  walk: ProvisionWalk,
  declared: StackContainer,
): Promise<DesiredContainer> {
  const secrets = new Map<string, string>();
  const missing: string[] = [];
  for (const binding of bindingsOfContainer(walk.stack, declared.name)) {
    const value = await walk.consumerValue(binding.secret);
    if (value === undefined) {
      missing.push(binding.env);
    } else {
      secrets.set(binding.env, value);
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
  };
}

async function convergeContainer(
  walk: ProvisionWalk,
  api: Api,
  namespaceId: string | undefined,
  containers: Containerv1beta1.Container[],
  declared: StackContainer,
): Promise<void> {
  const desired = await desiredContainer(walk, declared);
  const name = desired.request.name;
  const live = containers.find((container) => container.name === name);
  const note =
    desired.missing.length === 0
      ? undefined
      : `left out until their secret has a value: ${desired.missing.join(', ')}`;

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
        const container = await walk.call(`create container ${name}`, () =>
          api.createContainer({
            ...desired.request,
            namespaceId: namespaceId as string,
            secretEnvironmentVariables: [...desired.secrets].map(
              ([key, value]) => ({ key, value }),
            ),
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
    record(walk, name, created?.id, declared);
    return;
  }

  const changes = await containerChanges(live, desired);
  if (changes.length === 0) {
    walk.unchanged('container', name, live.id, note);
  } else {
    await walk.change(
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
          return;
        }
        await walk.call(`update container ${name}`, () =>
          api.updateContainer(updateRequest(live, desired, changes)),
        );
      },
    );
  }
  record(walk, name, live.id, declared);
}

async function containerChanges(
  live: Containerv1beta1.Container,
  desired: DesiredContainer,
): Promise<FieldChange[]> {
  const { request } = desired;
  const changes: FieldChange[] = [];
  const compare = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) {
      changes.push({ field, from, to });
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
  const checks = [...desired.secrets].map(async ([key, value]) => {
    const hash = hashes.get(key);
    if (hash === undefined) {
      return { field: `secretEnv.${key}`, from: '(unset)', to: '(set)' };
    }
    const current = await hashMatches(hash, value);

    return current
      ? undefined
      : { field: `secretEnv.${key}`, from: '(stale)', to: '(current)' };
  });
  for (const change of await Promise.all(checks)) {
    if (change !== undefined) changes.push(change);
  }
  for (const key of hashes.keys()) {
    if (!desired.secrets.has(key) && !desired.missing.includes(key)) {
      changes.push({ field: `secretEnv.${key}`, from: '(set)', to: '(unset)' });
    }
  }

  return changes;
}

function updateRequest(
  live: Containerv1beta1.Container,
  desired: DesiredContainer,
  changes: FieldChange[],
): Containerv1beta1.UpdateContainerRequest {
  const { request } = desired;
  const secretKeys = changes
    .filter((c) => c.field.startsWith('secretEnv.'))
    .map((c) => c.field.slice('secretEnv.'.length));
  const secretEnvironmentVariables = secretKeys.map((key) => {
    const value = desired.secrets.get(key);
    return value === undefined ? { key } : { key, value };
  });

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

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

function record(
  walk: ProvisionWalk,
  name: string,
  id: string | undefined,
  declared: StackContainer,
): void {
  if (id === undefined) return;

  walk.applied({
    kind: 'container',
    name,
    id,
    region: walk.region,
    attributes: {
      privateNetwork: declared.privateNetwork,
      secretEnv: bindingsOfContainer(walk.stack, declared.name)
        .map((b) => `${b.env}=${walk.deployed(b.secret)}`)
        .join(','),
    },
  });
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
