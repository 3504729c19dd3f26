import { DeniedAuthenticationError } from './errors.ts';
import { isUuid } from './wire.ts';

/** What a verifier knows about a token. */
export type TokenVerdict = 'valid' | 'expired' | 'unknown';

/** Recognises tokens a product issues (IAM API keys). */
export type TokenVerifier = (token: string) => TokenVerdict;

/**
 * Checks `X-Auth-Token`: accepted when it is one of the fixed tokens or a
 * registered verifier says `valid`. Otherwise a 401 `denied_authentication`
 * whose `reason` is `invalid_argument` (missing or not a UUID), `expired`
 * or `not_found` (unknown key), as the real API answers.
 */
export class TokenAuthenticator {
  readonly #tokens: ReadonlySet<string>;
  readonly #verifiers: TokenVerifier[] = [];

  constructor(tokens: Iterable<string>) {
    this.#tokens = new Set(tokens);
  }

  /** Adds a verifier, consulted after the fixed tokens. */
  addVerifier(verifier: TokenVerifier): void {
    this.#verifiers.push(verifier);
  }

  /** Throws `DeniedAuthenticationError` unless `token` is accepted. */
  check(token: string | undefined): void {
    if (token === undefined || !isUuid(token)) {
      throw new DeniedAuthenticationError('invalid_argument');
    }
    // Differs from Scaleway (docs/local-platform.md): an accepted token may
    // call every route; IAM policies are never evaluated, so no call fails
    // with 403 permissions_denied for a missing permission set.
    if (this.#tokens.has(token)) {
      return;
    }

    const verdicts = this.#verifiers.map((verify) => verify(token));
    if (verdicts.includes('valid')) {
      return;
    }

    throw new DeniedAuthenticationError(
      verdicts.includes('expired') ? 'expired' : 'not_found',
    );
  }
}
