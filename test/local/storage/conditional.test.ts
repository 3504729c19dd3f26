import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  checkWritePreconditions,
  releaseWrite,
} from '../../../local/storage/conditional.ts';
import type { VersionedObjects } from '../../../local/storage/objects.ts';

/** A bucket with no object yet: only `current` is read by the check. */
function emptyBucket(): VersionedObjects {
  return { current: () => undefined } as unknown as VersionedObjects;
}

function ifAbsent(): FastifyRequest {
  return { headers: { 'if-none-match': '*' } } as unknown as FastifyRequest;
}

describe('checkWritePreconditions, two writes in flight', () => {
  it('answers 409 to the second until the first is released', () => {
    const objects = emptyBucket();
    const first = ifAbsent();
    const second = ifAbsent();

    checkWritePreconditions(first, objects, 'b', 'k');
    const during = () => checkWritePreconditions(second, objects, 'b', 'k');

    expect(during).toThrow(
      expect.objectContaining({ code: 'ConditionalRequestConflict' }),
    );
    checkWritePreconditions(ifAbsent(), objects, 'b', 'other');
    releaseWrite(first);
    expect(during).not.toThrow();
  });
});
