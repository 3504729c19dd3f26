import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerLoadError } from './errors.ts';

/** The Scaleway Node handler signature (event, context, callback). */
export type FunctionHandler = (
  event: unknown,
  context: unknown,
  callback: (error: Error | undefined, result: unknown) => void,
) => unknown;

/** Our bundles: `dist/<file>/handler.js` is built from `functions/<file>.ts`. */
const BUNDLE = /^dist\/([a-z0-9][a-z0-9-]*)\/handler$/;

/**
 * Loads `path/to/file.export` relative to the service folder, from the
 * `.ts` source (through tsx or vitest) or a `.js` file, as the Scaleway
 * plugin accepts either. A bundle path `dist/<file>/handler.<export>`
 * (scripts/package.ts) loads its source `functions/<file>.ts` instead,
 * so the runner serves the working tree without a build.
 */
export async function loadHandler(
  serviceDir: string,
  functionName: string,
  handler: string,
): Promise<FunctionHandler> {
  const dot = handler.lastIndexOf('.');
  const declaredPath = handler.slice(0, dot);
  const bundle = BUNDLE.exec(declaredPath);
  const modulePath = bundle ? `functions/${bundle[1]}` : declaredPath;
  const exportName = handler.slice(dot + 1);
  const file = ['.ts', '.js', '.mjs']
    .map((extension) => resolve(join(serviceDir, modulePath + extension)))
    .find((candidate) => existsSync(candidate));
  if (!file) {
    throw new HandlerLoadError(functionName, handler);
  }

  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new HandlerLoadError(functionName, handler, { cause: error });
  }

  const exported = module[exportName];
  if (typeof exported !== 'function') {
    throw new HandlerLoadError(functionName, handler);
  }

  return exported as FunctionHandler;
}
