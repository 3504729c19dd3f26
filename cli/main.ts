import { createRequire } from 'node:module';
import { Command } from 'commander';
import { usageExitCode } from '../lib/cli/index.ts';
import { register as registerApply } from './commands/apply.ts';
import { register as registerAudit } from './commands/audit.ts';
import { register as registerDrift } from './commands/drift.ts';
import { register as registerPlan } from './commands/plan.ts';
import { register as registerRotate } from './commands/rotate.ts';
import { register as registerValidate } from './commands/validate.ts';

/**
 * Builds the `evalap-infra` program. Each command lives in
 * cli/commands/<name>.ts and exports `register(program)`; add one import
 * and one line below to add a command. A usage error (missing argument,
 * unknown option or command) exits 2 in every command: commands inherit
 * the exit override, so it is set before they are registered.
 */
export function buildProgram(): Command {
  const program = new Command('evalap-infra')
    .description(
      'Keep a Scaleway project secure by construction: validate, ' +
        'provision, rotate, check drift and ship audit logs.',
    )
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride((error) => process.exit(usageExitCode(error)));

  registerValidate(program);
  registerPlan(program);
  registerApply(program);
  registerAudit(program);
  registerDrift(program);
  registerRotate(program);

  return program;
}

await buildProgram().parseAsync(process.argv);

function packageVersion(): string {
  const require = createRequire(import.meta.url);

  return (require('../package.json') as { version: string }).version;
}
