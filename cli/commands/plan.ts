import type { Command } from 'commander';
import { runProvisionCommand } from '../../lib/provision/cli.ts';

/** Registers `evalap-infra plan <stack.yaml> [--json]`. */
export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'Show what applying a stack would change (read-only). Exit 0, ' +
        '1 when a policy rule refuses the stack, 2 when the file is not ' +
        'a stack, 3 on failure.',
    )
    .argument('<stack>', 'path to a stack YAML file')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      process.exitCode = await runProvisionCommand('plan', file, options);
    });
}
