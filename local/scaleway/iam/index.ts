import { defineProduct } from '../core/index.ts';
import { apiKeyVerifier, registerApiKeyRoutes } from './api-keys.ts';
import { registerApplicationRoutes } from './applications.ts';
import { registerPolicyRoutes } from './policies.ts';
import type {
  ApiKeyRecord,
  ApplicationRecord,
  IamCollections,
  PolicyRecord,
  RuleRecord,
} from './records.ts';

/**
 * IAM v1alpha1 (`/iam/v1alpha1`, global): applications, API keys (the
 * secret key is shown once, kept as a hash, and accepted as an
 * `X-Auth-Token` until it expires by the platform clock), policies with
 * rules, and the permission-set catalogue.
 */
export const iamProduct = defineProduct({
  name: 'iam',
  register({ router, store, clock, account, auth }) {
    const collections: IamCollections = {
      applications: store.collection<ApplicationRecord>({
        kind: 'iam.application',
        resource: 'application',
      }),
      apiKeys: store.collection<ApiKeyRecord>({
        kind: 'iam.api_key',
        resource: 'access_key',
        keyOf: (key) => key.access_key,
      }),
      policies: store.collection<PolicyRecord>({
        kind: 'iam.policy',
        resource: 'policy',
      }),
      rules: store.collection<RuleRecord>({
        kind: 'iam.rule',
        resource: 'rule',
      }),
    };

    auth.addVerifier(apiKeyVerifier(collections, clock));
    registerApplicationRoutes(router, collections, clock, account);
    registerApiKeyRoutes(router, collections, clock, account);
    registerPolicyRoutes(router, collections, clock, account);
  },
});
