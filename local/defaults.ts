/**
 * Built-in defaults of the local platform: it needs no account and no
 * configuration. The token below is accepted by the local API only; it is
 * not a credential anywhere else.
 */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  ports: {
    scalewayApi: 4600,
    storage: 4601,
    postgres: 4602,
    functions: 4610,
  },
  secretKey: '11111111-1111-4111-8111-111111111111',
  accessKey: 'SCWLOCAL000000000000',
  organizationId: '22222222-2222-4222-8222-222222222222',
  projectId: '33333333-3333-4333-8333-333333333333',
  region: 'fr-par',
  zone: 'fr-par-1',
  dataDir: '.local-platform',
} as const;

/**
 * URL of a queue of the local platform, in the form its SQS endpoint
 * (fauxqs) gives and resolves: the region sits in the host name.
 */
export function localQueueUrl(storagePort: number, name: string): string {
  const { region } = LOCAL_DEFAULTS;

  return `http://sqs.${region}.localhost:${storagePort}/000000000000/${name}`;
}
