/** Root of every failure while building the deployable artefact. */
export class PackagingError extends Error {
  override name = 'PackagingError';
}

/** A function serverless.yml declares and its source file. */
export interface DeclaredHandler {
  /** Function name: the serverless.yml key, i.e. the Scaleway function. */
  readonly name: string;
  /** `handler` as written, e.g. `dist/provision/handler.handle`. */
  readonly handler: string;
  /** The TypeScript entry point, e.g. `functions/provision.ts`. */
  readonly source: string;
}

/** serverless.yml cannot be read, or a handler has the wrong shape. */
export class ServerlessConfigError extends PackagingError {
  override name = 'ServerlessConfigError';
  readonly problems: readonly string[];

  constructor(
    file: string,
    problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      options,
    );
    this.problems = problems;
  }
}

/** serverless.yml names handlers whose source file does not exist. */
export class MissingHandlerError extends PackagingError {
  override name = 'MissingHandlerError';
  readonly missing: readonly DeclaredHandler[];

  constructor(missing: readonly DeclaredHandler[]) {
    const lines = missing.map(
      (fn) =>
        `  - function ${fn.name}: handler ${fn.handler} needs ${fn.source}, ` +
        'which does not exist',
    );
    super(
      `serverless.yml names ${missing.length} handler(s) with no source:\n` +
        lines.join('\n'),
    );
    this.missing = missing;
  }
}

/** A bundle lacks the export its handler names. */
export class BundleExportError extends PackagingError {
  override name = 'BundleExportError';

  constructor(fn: DeclaredHandler, exportName: string) {
    super(`${fn.source} does not export ${exportName} (handler ${fn.handler})`);
  }
}

/** The Serverless CLI failed; `output` is its last lines. */
export class ServerlessCliError extends PackagingError {
  override name = 'ServerlessCliError';
  readonly exitCode: number | null;
  readonly output: string;

  constructor(
    args: readonly string[],
    exitCode: number | null,
    output: string,
  ) {
    super(
      `serverless ${args.join(' ')} exited with ${exitCode ?? 'a signal'}:\n` +
        output,
    );
    this.exitCode = exitCode;
    this.output = output;
  }
}

/** The zip lacks a handler file, or holds files it should not. */
export class ArtefactError extends PackagingError {
  override name = 'ArtefactError';
  readonly problems: readonly string[];

  constructor(zip: string, problems: readonly string[]) {
    super(`${zip}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}
