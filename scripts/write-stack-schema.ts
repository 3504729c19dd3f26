/**
 * Writes docs/stack.schema.json from the zod stack schema.
 * `--check` writes nothing and exits 1 when the committed file is stale.
 *
 * Usage: npm run schema [-- --check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { stackJsonSchemaText } from '../lib/stack/json-schema.ts';

const target = fileURLToPath(
  new URL('../docs/stack.schema.json', import.meta.url),
);
const expected = stackJsonSchemaText();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== expected) {
    process.stderr.write(
      'docs/stack.schema.json is stale: run `npm run schema`\n',
    );
    process.exit(1);
  }
  process.stdout.write('docs/stack.schema.json is current\n');
} else {
  await writeFile(target, expected);
  process.stdout.write('wrote docs/stack.schema.json\n');
}
