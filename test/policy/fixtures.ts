import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseStack, type Stack } from '../../lib/stack/index.ts';

const parsed = new Map<string, Stack>();

/** An example stack of the repository, parsed once per test file. */
export function exampleStack(
  environment: 'dev' | 'staging' | 'production',
): Stack {
  const cached = parsed.get(environment);
  if (cached) {
    return cached;
  }

  const url = new URL(`../../stacks/${environment}.yaml`, import.meta.url);
  const path = fileURLToPath(url);
  const stack = parseStack(readFileSync(path, 'utf8'), path);
  parsed.set(environment, stack);

  return stack;
}

/** A deep copy of an example stack, changed by `change`. */
export function changedStack(
  environment: 'dev' | 'staging' | 'production',
  change: (stack: Stack) => void,
): Stack {
  const stack = structuredClone(exampleStack(environment));
  change(stack);

  return stack;
}
