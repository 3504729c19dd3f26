import type { PlatformClock } from '../../controls/clock.ts';
import {
  DELETION_DELAY_MS,
  type SecretCollections,
  versionsOf,
} from './records.ts';

/**
 * Applies what the passing of time does, by the platform clock: a secret
 * scheduled for deletion more than 7 days ago is purged with its versions;
 * a version scheduled for deletion more than 7 days ago becomes `deleted`
 * and loses its data. Called before each request is served.
 */
export function settleDeletions(
  collections: SecretCollections,
  clock: PlatformClock,
): void {
  const now = clock.now().getTime();
  const due = (requestedAt: string | null) =>
    requestedAt !== null && Date.parse(requestedAt) + DELETION_DELAY_MS <= now;

  for (const secret of collections.secrets.all()) {
    if (!due(secret.deletion_requested_at)) {
      continue;
    }
    for (const version of versionsOf(collections, secret.id)) {
      collections.versions.delete(version.key);
    }
    collections.secrets.delete(secret.id);
  }

  for (const version of collections.versions.all()) {
    if (version.status !== 'scheduled_for_deletion') {
      continue;
    }
    if (!due(version.deletion_requested_at)) {
      continue;
    }
    const deletedAt = new Date(
      Date.parse(version.deletion_requested_at ?? '') + DELETION_DELAY_MS,
    ).toISOString();
    collections.versions.update(version.key, (current) => ({
      ...current,
      status: 'deleted',
      deleted_at: deletedAt,
      data: '',
      data_crc32: null,
    }));
  }
}
