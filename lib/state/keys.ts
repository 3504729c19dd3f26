import type { Environment } from '../stack/index.ts';

/**
 * Object keys in the state bucket, one folder per environment:
 * - `<env>/state.json`: the applied state (read by rotation and drift);
 * - `<env>/lock.json`: the provisioning lock of the environment;
 * - `<env>/requests/<requestId>.json`: processed request ids.
 */
export const stateKeys = {
  state: (environment: Environment) => `${environment}/state.json`,
  lock: (environment: Environment) => `${environment}/lock.json`,
  request: (environment: Environment, requestId: string) =>
    `${environment}/requests/${requestId}.json`,
} as const;
