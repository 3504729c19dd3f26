import { z } from 'zod';
import { ENVIRONMENTS, REGIONS, StackSchema } from '../stack/index.ts';

/**
 * The kinds of resource provisioning creates, in the order they are
 * applied (dependencies first).
 */
export const RESOURCE_KINDS = [
  'vpc',
  'private-network',
  'secret',
  'iam-application',
  'iam-policy',
  'iam-api-key',
  'database-instance',
  'database',
  'database-user',
  'container-namespace',
  'container',
  'bucket',
] as const;

/** A kind of provisioned resource. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * One provisioned resource. `name` is the deployed name
 * (`{name}-{environment}`) except for database users, whose name is the
 * PostgreSQL role, the logical database, whose name is its PostgreSQL
 * name (`databaseName`), and buckets, whose id is their name too.
 * `attributes` holds non-secret facts readers need (e.g. a secret's
 * `path`, the revision it was created with, `needsValue` for a manual
 * secret without a version, a container's `namespaceId`). It never holds
 * a secret value, a password, a key or the argon2id hash of one: only
 * sha256 digests of such hashes (a container's `secretEnvFingerprints`
 * and `secretEnvHashes`).
 */
export const AppliedResourceSchema = z.strictObject({
  kind: z.enum(RESOURCE_KINDS),
  name: z.string().min(1),
  id: z.string().min(1),
  region: z.enum(REGIONS).optional(),
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional(),
});

/** One provisioned resource; see {@link AppliedResourceSchema}. */
export type AppliedResource = z.infer<typeof AppliedResourceSchema>;

/**
 * What was last applied to an environment: the stack (with defaults), its
 * revision (sha256 of its canonical JSON, see `stackRevision`), when, and
 * every resource with its id. Written by provisioning after every
 * successful apply; read by rotation and drift.
 */
export const AppliedStateSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  stackRevision: z.string().regex(/^[0-9a-f]{64}$/),
  appliedAt: z.iso.datetime({ offset: true }),
  stack: StackSchema,
  resources: z.array(AppliedResourceSchema),
});

/** The applied state of one environment; see {@link AppliedStateSchema}. */
export type AppliedState = z.infer<typeof AppliedStateSchema>;
