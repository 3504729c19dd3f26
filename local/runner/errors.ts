/** Root of the errors the local function runner raises. */
export class RunnerError extends Error {
  override name = 'RunnerError';
}

/** serverless.yml is missing, unreadable or invalid (every problem). */
export class ServerlessConfigError extends RunnerError {
  override name = 'ServerlessConfigError';

  constructor(
    readonly file: string,
    readonly problems: readonly { path: string; message: string }[],
    options?: ErrorOptions,
  ) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    super(`${file}: ${list}`, options);
  }
}

/** A function's handler file or export could not be loaded. */
export class HandlerLoadError extends RunnerError {
  override name = 'HandlerLoadError';

  constructor(
    readonly functionName: string,
    readonly handler: string,
    options?: ErrorOptions,
  ) {
    super(`cannot load handler ${handler} of ${functionName}`, options);
  }
}
