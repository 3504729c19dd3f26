import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  type DeclaredHandler,
  MissingHandlerError,
  ServerlessConfigError,
} from './errors.ts';

/**
 * The shape every handler must have: the bundle of `functions/<file>.ts`
 * is written to `dist/<file>/handler.js` by scripts/package.ts.
 */
const HANDLER = /^dist\/([a-z0-9][a-z0-9-]*)\/handler\.([A-Za-z_$][\w$]*)$/;

/** A function of serverless.yml, resolved to its files. */
export interface PackagedFunction extends DeclaredHandler {
  /** Bundle path inside the service folder and the zip. */
  readonly bundle: string;
  /** The export the platform calls. */
  readonly exportName: string;
}

/**
 * Reads the functions serverless.yml declares and where their code comes
 * from. Handler strings hold no variables, so no resolution is needed.
 *
 * @throws ServerlessConfigError listing every malformed handler.
 */
export async function readServerlessFunctions(
  file: string,
): Promise<PackagedFunction[]> {
  let config: unknown;
  try {
    config = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ServerlessConfigError(file, ['cannot be read as YAML'], {
      cause: error,
    });
  }

  const functions = functionsOf(config);
  if (functions === undefined) {
    throw new ServerlessConfigError(file, ['`functions` is missing']);
  }

  const problems: string[] = [];
  const declared: PackagedFunction[] = [];
  for (const [name, value] of Object.entries(functions)) {
    const handler = handlerOf(value);
    const match = HANDLER.exec(handler ?? '');
    if (handler === undefined || match === null) {
      problems.push(
        `functions.${name}.handler must be dist/<file>/handler.<export>`,
      );
      continue;
    }
    const [, fileName = '', exportName = ''] = match;
    declared.push({
      name,
      handler,
      source: `functions/${fileName}.ts`,
      bundle: `dist/${fileName}/handler.js`,
      exportName,
    });
  }
  if (problems.length > 0) throw new ServerlessConfigError(file, problems);

  return declared;
}

/**
 * Throws {@link MissingHandlerError} naming every declared function whose
 * source file is absent from `root` (the functions land one by one).
 */
export function assertSourcesExist(
  root: string,
  functions: readonly PackagedFunction[],
): void {
  const missing = functions.filter((fn) => !existsSync(join(root, fn.source)));
  if (missing.length > 0) throw new MissingHandlerError(missing);
}

/**
 * Names of the `${env:NAME}` references with no fallback: the variables
 * `serverless` refuses to run without.
 */
export function requiredDeployVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    if (match[1] !== undefined) names.add(match[1]);
  }

  return [...names].sort();
}

function functionsOf(config: unknown): Record<string, unknown> | undefined {
  if (typeof config !== 'object' || config === null) return undefined;

  const functions = (config as { functions?: unknown }).functions;
  if (typeof functions !== 'object' || functions === null) return undefined;

  return functions as Record<string, unknown>;
}

function handlerOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;

  const handler = (value as { handler?: unknown }).handler;

  return typeof handler === 'string' ? handler : undefined;
}
