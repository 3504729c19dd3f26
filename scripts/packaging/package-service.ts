import {
  copyFile,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { assertArtefact, listZip, type ZipEntry } from './artefact.ts';
import {
  type BundleReport,
  bundleFunction,
  writeRuntimeFiles,
} from './bundle.ts';
import { PackagingError } from './errors.ts';
import { packageEnvironment, runServerless } from './serverless-cli.ts';
import {
  assertSourcesExist,
  type PackagedFunction,
  readServerlessFunctions,
  requiredDeployVariables,
} from './serverless-config.ts';

/** The deployment stages serverless.yml knows. */
export const STAGES = ['dev', 'staging', 'production'] as const;

/** A deployment stage. */
export type Stage = (typeof STAGES)[number];

/** Options of {@link packageService}. */
export interface PackageServiceOptions {
  /** The repository root (sources, serverless.yml, node_modules). */
  readonly root: string;
  readonly stage: Stage;
  /**
   * Where to build: dist/ and .serverless/ are written there. Default:
   * root. Another folder gets a copy of serverless.yml and a link to
   * root/node_modules, so tests do not touch the working tree.
   */
  readonly serviceDir?: string;
  /** Bundle only these functions (implies bundlesOnly). Default all. */
  readonly only?: readonly string[];
  /** Bundles only, no `serverless package`. Default false. */
  readonly bundlesOnly?: boolean;
  /** Environment of the Serverless CLI. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The deployable artefact and what it weighs. */
export interface PackageReport {
  readonly stage: Stage;
  readonly functions: readonly PackagedFunction[];
  readonly bundles: readonly BundleReport[];
  /** The service zip, absent with `bundlesOnly`. */
  readonly zip?: {
    readonly path: string;
    readonly bytes: number;
    readonly entries: readonly ZipEntry[];
  };
}

/**
 * Builds the deployable artefact offline: one esbuild bundle per function
 * that serverless.yml declares, then `serverless package --stage <stage>`,
 * then checks that the zip holds every handler and nothing but dist/.
 *
 * @throws MissingHandlerError naming each declared function with no
 *   source, before anything is built; other PackagingErrors after.
 */
export async function packageService(
  options: PackageServiceOptions,
): Promise<PackageReport> {
  const serviceDir = options.serviceDir ?? options.root;
  const configFile = join(options.root, 'serverless.yml');
  const declared = await readServerlessFunctions(configFile);
  const only = options.only;
  const functions =
    only === undefined
      ? declared
      : declared.filter((fn) => only.includes(fn.name));
  assertSourcesExist(options.root, functions);

  if (serviceDir !== options.root)
    await prepareServiceDir(options.root, serviceDir);
  const outDir = join(serviceDir, 'dist');
  await rm(outDir, { recursive: true, force: true });
  const bundles: BundleReport[] = [];
  for (const fn of functions) {
    bundles.push(await bundleFunction(fn, { root: options.root, outDir }));
  }
  await writeRuntimeFiles(options.root, outDir);

  if (options.bundlesOnly === true || only !== undefined) {
    return { stage: options.stage, functions, bundles };
  }

  const zip = await serverlessPackage(configFile, serviceDir, options);
  const entries = await listZip(zip);
  assertArtefact(zip, entries, functions);

  return {
    stage: options.stage,
    functions,
    bundles,
    zip: { path: zip, bytes: (await stat(zip)).size, entries },
  };
}

async function prepareServiceDir(root: string, serviceDir: string) {
  await copyFile(
    join(root, 'serverless.yml'),
    join(serviceDir, 'serverless.yml'),
  );
  await rm(join(serviceDir, 'node_modules'), { force: true });
  await symlink(join(root, 'node_modules'), join(serviceDir, 'node_modules'));
}

async function serverlessPackage(
  configFile: string,
  serviceDir: string,
  options: PackageServiceOptions,
): Promise<string> {
  const artefactDir = join(serviceDir, '.serverless');
  await rm(artefactDir, { recursive: true, force: true });

  const required = requiredDeployVariables(await readFile(configFile, 'utf8'));
  await runServerless(['package', '--stage', options.stage], {
    cwd: serviceDir,
    env: packageEnvironment(required, options.env),
  });

  const zips = (await readdir(artefactDir)).filter((f) => f.endsWith('.zip'));
  if (zips.length !== 1 || zips[0] === undefined) {
    throw new PackagingError(
      `serverless package wrote ${zips.length} zip(s) in ${artefactDir}`,
    );
  }

  return join(artefactDir, zips[0]);
}
