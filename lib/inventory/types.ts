import type { Containerv1beta1 } from '@scaleway/sdk-container';
import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { Secretv1beta1 } from '@scaleway/sdk-secret';
import type { Vpcv2 } from '@scaleway/sdk-vpc';

/** The resource types the inventory lists, in dependency order. */
export const RESOURCE_TYPES = [
  'vpc',
  'private-network',
  'secret',
  'iam-application',
  'iam-policy',
  'database',
  'container-namespace',
  'container',
] as const;

/** A resource type of the inventory. */
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The SDK object each resource type is listed as. */
export interface LiveObjects {
  vpc: Vpcv2.VPC;
  'private-network': Vpcv2.PrivateNetwork;
  secret: Secretv1beta1.Secret;
  'iam-application': Iamv1alpha1.Application;
  'iam-policy': Iamv1alpha1.Policy;
  database: Rdbv1.Instance;
  'container-namespace': Containerv1beta1.Namespace;
  container: Containerv1beta1.Container;
}

/** One live resource, with the fields every type shares lifted out. */
export interface LiveResource<K extends ResourceType = ResourceType> {
  readonly type: K;
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  /** The SDK object as listed (camelCase fields). */
  readonly raw: LiveObjects[K];
}

/** The SDK APIs the inventory reads (a subset of `ScalewayClients`). */
export interface InventoryApis {
  readonly secret: Secretv1beta1.API;
  readonly iam: Iamv1alpha1.API;
  readonly vpc: Vpcv2.API;
  readonly rdb: Rdbv1.API;
  readonly container: Containerv1beta1.API;
}

/** Where to list: the project (and organization, for IAM) and region. */
export interface InventoryScope {
  readonly projectId: string;
  /** IAM lists are per organization; without it IAM types are unknown. */
  readonly organizationId?: string | undefined;
  readonly region: string;
}

/** The outcome of listing one type: complete, or unknown with a reason. */
export type TypeListing<K extends ResourceType = ResourceType> =
  | {
      readonly status: 'listed';
      readonly resources: readonly LiveResource<K>[];
    }
  | {
      readonly status: 'unknown';
      /** Why, in words safe to show (no secret, no URL with a key). */
      readonly reason: string;
      readonly error: unknown;
    };

/** Tag every resource created by evalap-infra carries. */
export const MANAGED_BY_TAG = 'managed-by=evalap-infra';

/** Tag naming the environment a resource belongs to. */
export function environmentTag(environment: string): string {
  return `environment=${environment}`;
}
