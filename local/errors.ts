/** Root of the errors the local platform raises while it starts. */
export class LocalPlatformError extends Error {
  override name = 'LocalPlatformError';
}

/** A port a part of the platform needs is taken by another process. */
export class PortInUseError extends LocalPlatformError {
  override name = 'PortInUseError';

  constructor(
    /** The part that needed it, e.g. `Scaleway API`. */
    readonly part: string,
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(`port ${port} (${part}) on ${host} is already in use`, options);
  }
}
