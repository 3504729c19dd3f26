import { scrubChange } from '../audit/scrub.ts';
import type { Inventory } from '../inventory/inventory.ts';
import {
  environmentTag,
  type LiveResource,
  RESOURCE_TYPES,
  type ResourceType,
} from '../inventory/types.ts';
import { type DeclaredResource, SKIP } from './declared.ts';
import type { DriftFinding, DriftSeverity } from './finding.ts';
import { type LiveDetails, liveFields } from './live.ts';
import { hasTags, sameValue } from './normalize.ts';

/** A declared resource and the live resource it was matched with. */
export interface MatchedResource {
  readonly declared: DeclaredResource;
  readonly live: LiveResource;
}

/** Resources of one environment, matched by type and deployed name. */
export interface Matching {
  readonly matched: readonly MatchedResource[];
  /** Declared, absent from a listed type. */
  readonly missing: readonly DeclaredResource[];
  /** Live in the environment's scope, not declared. */
  readonly unmanaged: readonly LiveResource[];
  /** Types whose listing failed: nothing is said about them. */
  readonly unknownTypes: ReadonlySet<ResourceType>;
  /** Live id of a matched declared resource. */
  resolve(type: ResourceType, name: string): string | undefined;
}

/**
 * Matches declared resources with live ones by type and deployed name
 * (containers within the declared namespace). A declared resource of a
 * type whose listing failed is neither matched nor missing. A live
 * resource is in scope when it carries `environment=<env>`, or is a
 * container inside the declared namespace (tagged or not).
 */
export function matchResources(
  declared: readonly DeclaredResource[],
  inventory: Inventory,
  environment: string,
): Matching {
  const unknownTypes = new Set<ResourceType>(
    RESOURCE_TYPES.filter(
      (type) => inventory.listings[type].status === 'unknown',
    ),
  );
  const ids = new Map<string, string>();
  const key = (type: ResourceType, name: string) => `${type}\u0000${name}`;
  const used = new Set<string>();
  const matched: MatchedResource[] = [];
  const missing: DeclaredResource[] = [];
  const resolve = (type: ResourceType, name: string) =>
    ids.get(key(type, name));

  // Dependency order: a container's namespace is matched before it.
  for (const type of RESOURCE_TYPES) {
    const listing = inventory.listings[type];
    if (listing.status !== 'listed') continue;

    for (const resource of declared.filter((d) => d.type === type)) {
      const namespace =
        type === 'container' ? resource.fields(resolve).namespace : undefined;
      const live = listing.resources.find(
        (candidate) =>
          candidate.name === resource.name &&
          !used.has(candidate.id) &&
          (typeof namespace !== 'string' ||
            (candidate as LiveResource<'container'>).raw.namespaceId ===
              namespace),
      );
      if (live === undefined) {
        missing.push(resource);
        continue;
      }
      used.add(live.id);
      ids.set(key(type, resource.name), live.id);
      matched.push({ declared: resource, live });
    }
  }

  const envTag = environmentTag(environment);
  const managedNamespaces = new Set(
    matched
      .filter((m) => m.live.type === 'container-namespace')
      .map((m) => m.live.id),
  );
  const unmanaged = RESOURCE_TYPES.flatMap((type) => {
    const listing = inventory.listings[type];
    if (listing.status !== 'listed') return [];

    return (listing.resources as readonly LiveResource[]).filter(
      (live) =>
        !used.has(live.id) &&
        (live.tags.includes(envTag) ||
          (live.type === 'container' &&
            managedNamespaces.has(
              (live as LiveResource<'container'>).raw.namespaceId,
            ))),
    );
  });

  return { matched, missing, unmanaged, unknownTypes, resolve };
}

/** Fields whose drift weakens the security model. */
const SECURITY_FIELDS: ReadonlySet<string> = new Set([
  'privacy',
  'publicEndpoint',
  'privateNetwork',
  'encryptionAtRest',
  'rules',
  'application',
  'backupsEnabled',
  'protected',
  'secretEnvKeys',
  'acl',
]);

/**
 * The `missing`, `changed` and `unmanaged` findings of a matching. Only
 * declared fields are compared, each after normalisation; a field whose
 * reference is not live (SKIP), or whose live detail was not read, is
 * left out.
 */
export function compareResources(
  matching: Matching,
  details: LiveDetails,
): DriftFinding[] {
  const findings: DriftFinding[] = [];

  for (const resource of matching.missing) {
    findings.push({
      class: 'missing',
      severity: 'high',
      resourceType: resource.type,
      resourceName: resource.name,
      message:
        `${resource.type} ${resource.name} is declared but does not ` +
        'exist: apply the stack to recreate it, or remove it from the stack.',
    });
  }

  const valueless = secretsWithoutValue(matching);
  const missingSecrets = new Set(
    matching.missing.filter((r) => r.type === 'secret').map((r) => r.name),
  );
  for (const { declared, live } of matching.matched) {
    const wanted = withoutKeysOf(
      declared,
      declared.fields(matching.resolve),
      new Set([...valueless, ...missingSecrets]),
    );
    const actual = withoutKeysOf(
      declared,
      withoutOptionalSecrets(declared, liveFields(live, details)),
      missingSecrets,
    );
    for (const [field, value] of Object.entries(wanted)) {
      if (value === SKIP || !(field in actual)) continue;

      const liveValue = actual[field];
      const same =
        field === 'tags'
          ? hasTags(value as string[], liveValue as string[])
          : sameValue(value, liveValue);
      if (same) continue;

      const shown = scrubChange(value, liveValue);
      findings.push({
        class: 'changed',
        severity: severityOfChange(field),
        resourceType: live.type,
        resourceName: live.name,
        resourceId: live.id,
        field,
        declared: shown.from,
        live: shown.to,
        message:
          `${live.type} ${live.name}: ${field} differs from the stack; ` +
          'apply the stack to restore it, or declare the live value.',
      });
    }
  }

  for (const live of matching.unmanaged) {
    findings.push({
      class: 'unmanaged',
      severity: 'medium',
      resourceType: live.type,
      resourceName: live.name,
      resourceId: live.id,
      message:
        `${live.type} ${live.name} is in the environment's scope but not ` +
        'declared: declare it in the stack, or delete it.',
    });
  }

  return findings;
}

function severityOfChange(field: string): DriftSeverity {
  if (field === 'tags') return 'low';

  return SECURITY_FIELDS.has(field) ? 'high' : 'medium';
}

/**
 * Deployed names of the matched secrets with no version yet (a `manual`
 * secret waiting for its value): provisioning cannot inject them, so a
 * container lacking them is not drift.
 */
function secretsWithoutValue(matching: Matching): Set<string> {
  return new Set(
    matching.matched
      .filter(({ live }) => live.type === 'secret')
      .filter(({ live }) => {
        const secret = live as LiveResource<'secret'>;
        return secret.raw.versionCount === 0;
      })
      .map(({ live }) => live.name),
  );
}

/**
 * The fields without the secret env keys bound to `secrets`: those with
 * no value yet, which a container cannot hold (left out of what is
 * wanted), and those missing, already reported (left out of both sides).
 */
function withoutKeysOf<T extends Record<string, unknown>>(
  declared: DeclaredResource,
  fields: T,
  secrets: ReadonlySet<string>,
): T {
  const secretEnv = declared.secretEnv ?? {};
  const keys = fields.secretEnvKeys;
  if (!Array.isArray(keys) || secrets.size === 0) return fields;

  const bound = (key: unknown) => secrets.has(secretEnv[String(key)] ?? '');

  return { ...fields, secretEnvKeys: keys.filter((key) => !bound(key)) };
}

/** The live fields without the secret env vars a container may hold. */
function withoutOptionalSecrets(
  declared: DeclaredResource,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const optional = new Set(declared.optionalSecretEnv ?? []);
  const keys = fields.secretEnvKeys;
  if (optional.size === 0 || !Array.isArray(keys)) return fields;

  return {
    ...fields,
    secretEnvKeys: keys.filter((key) => !optional.has(String(key))),
  };
}
