import type { Command } from 'commander';
import { runProvisionCommand } from '../../lib/provision/cli.ts';

/** Registers `evalap-infra apply <stack.yaml> [--allow-replace] [--json]`. */
export function register(program: Command): void {
  program
    .command('apply')
    .description(
      'Make the project match a stack, one progress line per resource. ' +
        'Exit 0, 1 when refused (policy, replacement not allowed, ' +
        'environment busy), 2 when the file is not a stack, 3 on failure.',
    )
    .argument('<stack>', 'path to a stack YAML file')
    .option('--allow-replace', 'allow replacing resources (delete + create)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        options: { allowReplace?: boolean; json?: boolean },
      ) => {
        process.exitCode = await runProvisionCommand('apply', file, options);
      },
    );
}
