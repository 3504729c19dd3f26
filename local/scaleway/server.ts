import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformClock } from '../controls/clock.ts';
import { PlatformControls } from '../controls/controls.ts';
import { LOCAL_DEFAULTS } from '../defaults.ts';
import { containerProduct } from './container/index.ts';
import { TokenAuthenticator } from './core/auth.ts';
import { controlRouter } from './core/control-routes.ts';
import { type ApiLogger, createRequestListener } from './core/http.ts';
import type { AccountDefaults, ScalewayProduct } from './core/product.ts';
import { Router } from './core/router.ts';
import { ResourceStore } from './core/store.ts';
import { functionProduct } from './function/index.ts';
import { iamProduct } from './iam/index.ts';
import { rdbProduct } from './rdb/index.ts';
import { secretManagerProduct } from './secret/index.ts';
import { vpcProduct } from './vpc/index.ts';

/**
 * The products served by default. Add a product with one line here.
 * A product given later in `options.products` with the same `name`
 * replaces the default one (e.g. RDB wired to a database engine).
 */
export function defaultScalewayProducts(): ScalewayProduct[] {
  return [
    iamProduct,
    secretManagerProduct,
    vpcProduct,
    rdbProduct(),
    containerProduct(),
    functionProduct(),
  ];
}

/** Options of `startScalewayApi`. */
export interface ScalewayApiOptions {
  /** TCP port; 0 picks a free one. Default: 4600 (LOCAL_DEFAULTS). */
  port?: number;
  /** Interface to bind. Default: 127.0.0.1. */
  host?: string;
  /** Folder where state persists; default: none (memory only). */
  dataDir?: string;
  /** Shared clock. Default: the controls' clock, else a new one. */
  clock?: PlatformClock;
  /** Shared controls (e.g. with the storage server). Default: new ones. */
  controls?: PlatformControls;
  /** Accepted `X-Auth-Token`s. Default: [LOCAL_DEFAULTS.secretKey]. */
  tokens?: readonly string[];
  /** Products to serve. Default: `defaultScalewayProducts()`. */
  products?: readonly ScalewayProduct[];
  /** Organization and default project. Default: LOCAL_DEFAULTS. */
  account?: AccountDefaults;
  /** Where unexpected failures go. Default: console.error. */
  logger?: ApiLogger;
}

/** A running local Scaleway API. */
export interface ScalewayApi {
  /** Base URL for the SDK's `apiURL`, e.g. `http://127.0.0.1:4600`. */
  url: string;
  port: number;
  controls: PlatformControls;
  clock: PlatformClock;
  store: ResourceStore;
  /** Every API route key, `METHOD /pattern`. */
  routes(): string[];
  /** Stops listening, closes products, persists the store. */
  close(): Promise<void>;
}

const consoleLogger: ApiLogger = {
  error(details, message) {
    console.error(message, details);
  },
};

/**
 * Starts the local Scaleway API on `node:http`.
 *
 * @example
 * const api = await startScalewayApi({ port: 0 });
 * const client = createClient({ apiURL: api.url, ... });
 * await api.close();
 */
export async function startScalewayApi(
  options: ScalewayApiOptions = {},
): Promise<ScalewayApi> {
  const controls =
    options.controls ??
    new PlatformControls(
      options.clock === undefined ? {} : { clock: options.clock },
    );
  const clock = options.clock ?? controls.clock;
  const store = ResourceStore.open({ dataDir: options.dataDir });
  const auth = new TokenAuthenticator(
    options.tokens ?? [LOCAL_DEFAULTS.secretKey],
  );
  const router = new Router();
  const account = options.account ?? {
    organizationId: LOCAL_DEFAULTS.organizationId,
    projectId: LOCAL_DEFAULTS.projectId,
  };

  const products = uniqueByName(options.products ?? defaultScalewayProducts());
  for (const product of products) {
    await product.register({ router, store, clock, account, auth });
  }

  const server = createServer(
    createRequestListener({
      router,
      controlRouter: controlRouter(controls, () => router.list()),
      controls,
      auth,
      store,
      logger: options.logger ?? consoleLogger,
    }),
  );
  const host = options.host ?? LOCAL_DEFAULTS.host;
  await listen(server, options.port ?? LOCAL_DEFAULTS.ports.scalewayApi, host);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    controls,
    clock,
    store,
    routes: () => router.list(),
    close: async () => {
      await closeServer(server);
      for (const product of products) {
        await product.close?.();
      }
      store.flush();
    },
  };
}

function uniqueByName(products: readonly ScalewayProduct[]): ScalewayProduct[] {
  const byName = new Map<string, ScalewayProduct>();
  for (const product of products) {
    byName.delete(product.name);
    byName.set(product.name, product);
  }

  return [...byName.values()];
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
