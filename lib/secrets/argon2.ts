import { argon2Verify } from 'hash-wasm';

/**
 * Whether an argon2id hash, as the Serverless Containers API returns one
 * for a secret environment variable, is the hash of `value`. A hash that
 * is not an argon2 PHC string does not match.
 *
 * WebAssembly (hash-wasm) rather than a native addon: the bundle stays
 * one file that runs on any Node runtime. It costs about 60 ms of CPU
 * per verification with the default parameters (m=19456, t=2), on the
 * calling thread.
 *
 * @example
 * await argon2idMatches(container.secretEnvironmentVariables[0].hashedValue,
 *   password);
 */
export async function argon2idMatches(
  hash: string,
  value: string,
): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;

  return argon2Verify({ hash, password: value }).catch(() => false);
}
