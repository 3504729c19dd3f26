import { createHash, type KeyObject, sign, verify } from 'node:crypto';

import { z } from 'zod';

/** One log object listed in a digest. */
export const digestLogObjectSchema = z.strictObject({
  key: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sseKeyVersion: z.string().nullable(),
});

/** The hourly digest: the hour's log objects, chained and signed. */
export const auditDigestSchema = z.strictObject({
  version: z.literal(1),
  environment: z.string(),
  bucket: z.string(),
  hour: z.iso.datetime(),
  sealedAt: z.iso.datetime(),
  logObjects: z.array(digestLogObjectSchema),
  /**
   * Objects of earlier hours, put after those hours' digests listed
   * them, that a late note asked this digest to adopt (see layout.ts).
   */
  adoptedObjects: z.array(digestLogObjectSchema).optional(),
  previousDigest: z
    .strictObject({
      key: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      signature: z.string().regex(/^[0-9a-f]+$/),
    })
    .nullable(),
  signatureAlgorithm: z.literal('Ed25519'),
  signingKeyVersion: z.string(),
  publicKeyFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
});

/** An hourly digest as stored at `<env>/digests/YYYY/MM/DD/HH.json`. */
export type AuditDigest = z.infer<typeof auditDigestSchema>;

/** A digest's bytes as a digest, or null when they are not a valid one. */
export function parseDigest(body: Buffer): AuditDigest | null {
  try {
    const parsed = auditDigestSchema.safeParse(
      JSON.parse(body.toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The metadata key (`x-amz-meta-signature`) that holds the signature. */
export const SIGNATURE_METADATA = 'signature';

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The signed text, after CloudTrail: the digest's hour, its key, the hash
 * of its bytes and the previous digest's signature, one per line. The
 * signature therefore covers the content, the place and the chain.
 */
export function signingText(
  hour: string,
  key: string,
  bodySha256: string,
  previousSignature: string | null,
): Buffer {
  return Buffer.from(
    `${hour}\n${key}\n${bodySha256}\n${previousSignature ?? ''}`,
    'utf8',
  );
}

/** Signs the text with an Ed25519 private key; hex signature. */
export function signDigest(text: Buffer, privateKey: KeyObject): string {
  return sign(null, text, privateKey).toString('hex');
}

/** True when the hex signature of the text matches the public key. */
export function verifyDigestSignature(
  text: Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean {
  try {
    return verify(null, text, publicKey, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}
