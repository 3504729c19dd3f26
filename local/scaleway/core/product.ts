import type { PlatformClock } from '../../controls/clock.ts';
import type { TokenAuthenticator } from './auth.ts';
import type { Router } from './router.ts';
import type { ResourceStore } from './store.ts';

/** The account every local resource belongs to. */
export interface AccountDefaults {
  organizationId: string;
  projectId: string;
}

/** What a product gets when the server registers it. */
export interface ProductContext {
  /** Register the product's routes here (exact Scaleway paths). */
  router: Router;
  /** Get the product's collections here (`store.collection(...)`). */
  store: ResourceStore;
  /** The platform clock: every `*_at` and every age comes from it. */
  clock: PlatformClock;
  /** The local organization and default project. */
  account: AccountDefaults;
  /** Add a verifier when the product issues API tokens (IAM does). */
  auth: TokenAuthenticator;
}

/**
 * A Scaleway product served by the local API (IAM, Secret Manager, ...).
 * `register` adds routes and collections; `close` (optional) releases what
 * the product holds (timers, engines) when the server stops.
 */
export interface ScalewayProduct {
  /** Unique name, e.g. `secret-manager`. A later product with the same
   * name replaces an earlier one in the server's list. */
  name: string;
  register(context: ProductContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * Declares a product. The identity function, there for type inference and
 * to keep product modules uniform.
 *
 * @example
 * export const vpcProduct = defineProduct({
 *   name: 'vpc',
 *   register({ router, store, clock }) {
 *     const vpcs = store.collection<VpcRecord>({ kind: 'vpc.vpc',
 *       resource: 'vpc' });
 *     router.get('/vpc/v2/regions/{region}/vpcs/{vpc_id}', (request) =>
 *       ok(vpcs.require(pathParam(request.params, 'vpc_id'))));
 *   },
 * });
 */
export function defineProduct(product: ScalewayProduct): ScalewayProduct {
  return product;
}
