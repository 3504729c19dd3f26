import { defineProduct } from '../core/index.ts';
import type {
  SecretCollections,
  SecretRecord,
  VersionRecord,
} from './records.ts';
import { registerSecretRoutes } from './secrets.ts';
import { settleDeletions } from './settle.ts';
import { registerVersionRoutes } from './versions.ts';

/**
 * Secret Manager v1beta1 (`/secret-manager/v1beta1/regions/{region}`):
 * secrets with paths, tags, types, protection and soft delete (purged 7
 * days after deletion by the platform clock); versions with base64 data
 * (64 KiB max), access by revision, `latest` or `latest_enabled`.
 */
export const secretManagerProduct = defineProduct({
  name: 'secret-manager',
  register({ router, store, clock }) {
    const collections: SecretCollections = {
      secrets: store.collection<SecretRecord>({
        kind: 'secret-manager.secret',
        resource: 'secret',
      }),
      versions: store.collection<VersionRecord>({
        kind: 'secret-manager.version',
        resource: 'secret_version',
        keyOf: (version) => version.key,
      }),
    };

    router.use('/secret-manager/', () => settleDeletions(collections, clock));
    registerSecretRoutes(router, collections, clock);
    registerVersionRoutes(router, collections, clock);
  },
});
