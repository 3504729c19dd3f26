import { createClient } from '@scaleway/sdk-client';
import { Containerv1beta1 } from '@scaleway/sdk-container';
import { Functionv1beta1 } from '@scaleway/sdk-function';
import { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { Rdbv1 } from '@scaleway/sdk-rdb';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { Vpcv2 } from '@scaleway/sdk-vpc';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type ScalewayApi,
  type ScalewayApiOptions,
  startScalewayApi,
} from '../../local/scaleway/server.ts';

/** The SDK clients of every product the local API serves. */
export interface ScalewayClients {
  iam: Iamv1alpha1.API;
  secret: Secretv1beta1.API;
  vpc: Vpcv2.API;
  rdb: Rdbv1.API;
  container: Containerv1beta1.API;
  function: Functionv1beta1.API;
}

/** A local API for one test file, with SDK clients pointed at it. */
export interface TestScalewayApi extends ScalewayClients {
  api: ScalewayApi;
  url: string;
  /** Clients using another secret key (e.g. one the API refuses). */
  clientsWithToken(secretKey: string): ScalewayClients;
  close(): Promise<void>;
}

/**
 * Starts the local Scaleway API on an ephemeral loopback port and builds
 * the real SDK clients for it (default token, project and region
 * `fr-par`). Options are passed to `startScalewayApi`; `port` defaults
 * to 0 here.
 *
 * @example
 * let local: TestScalewayApi;
 * beforeAll(async () => { local = await startTestScalewayApi(); });
 * afterAll(() => local.close());
 */
export async function startTestScalewayApi(
  options: ScalewayApiOptions = {},
): Promise<TestScalewayApi> {
  const api = await startScalewayApi({ port: 0, ...options });
  const clientsWithToken = (secretKey: string): ScalewayClients =>
    buildClients(api.url, secretKey);

  return {
    api,
    url: api.url,
    ...clientsWithToken(LOCAL_DEFAULTS.secretKey),
    clientsWithToken,
    close: () => api.close(),
  };
}

function buildClients(apiURL: string, secretKey: string): ScalewayClients {
  const client = createClient({
    apiURL,
    accessKey: LOCAL_DEFAULTS.accessKey,
    secretKey,
    defaultOrganizationId: LOCAL_DEFAULTS.organizationId,
    defaultProjectId: LOCAL_DEFAULTS.projectId,
    defaultRegion: LOCAL_DEFAULTS.region,
    defaultZone: LOCAL_DEFAULTS.zone,
  });

  return {
    iam: new Iamv1alpha1.API(client),
    secret: new Secretv1beta1.API(client),
    vpc: new Vpcv2.API(client),
    rdb: new Rdbv1.API(client),
    container: new Containerv1beta1.API(client),
    function: new Functionv1beta1.API(client),
  };
}
