import { readFile } from 'node:fs/promises';
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { z } from 'zod';
import { issueMessage } from '../validation/index.ts';
import {
  type SourcePosition,
  StackFileError,
  type StackProblem,
} from './errors.ts';
import { type Stack, StackSchema } from './schema.ts';

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file: check the path (stacks are in stacks/)',
  EACCES: 'permission denied: the file cannot be read',
  EISDIR: 'this is a folder: give the path of a stack file',
};

function readProblem(code: string | undefined): string {
  return READ_PROBLEMS[code ?? ''] ?? `cannot read the file (${code})`;
}

/**
 * Reads a stack file and validates it.
 *
 * @param path - The YAML file to read.
 * @returns The stack, with defaults applied.
 * @throws {StackFileError} When the file cannot be read, is not YAML, or
 *   does not have the shape of a stack; it lists every problem found.
 */
export async function loadStack(path: string): Promise<Stack> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StackFileError(path, [{ path: [], message: readProblem(code) }], {
      cause: error,
    });
  }

  return parseStack(text, path);
}

/**
 * Parses YAML text into a stack. Every YAML error and every schema problem
 * is reported at once, each with its stack path and its line and column.
 *
 * @param text - The YAML text.
 * @param source - A label for messages, usually the file path.
 * @throws {StackFileError} When the text is not a valid stack.
 */
export function parseStack(text: string, source: string): Stack {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });

  const yamlProblems = document.errors.map((error) =>
    problemFromYamlError(error.message, error.pos[0], lineCounter),
  );
  if (yamlProblems.length > 0) {
    throw new StackFileError(source, yamlProblems);
  }

  const data = document.toJS({ maxAliasCount: 100 });
  const result = StackSchema.safeParse(data);
  if (result.success) {
    return result.data;
  }

  const problems = result.error.issues.flatMap((issue) =>
    problemsFromIssue(issue, data, document, lineCounter),
  );
  throw new StackFileError(source, problems, { cause: result.error });
}

function problemFromYamlError(
  message: string,
  offset: number,
  lineCounter: LineCounter,
): StackProblem {
  const firstLine = message.split('\n')[0] ?? message;

  return {
    path: [],
    position: positionAt(offset, lineCounter),
    message: `not valid YAML: ${firstLine.replace(/ at line \d+.*$/, '')}`,
  };
}

function problemsFromIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  document: Document,
  lineCounter: LineCounter,
): StackProblem[] {
  const path = issue.path.map((segment) =>
    typeof segment === 'symbol' ? String(segment) : segment,
  );

  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...path, key],
      position: locate(document, path, lineCounter, key),
      message: `unknown key "${key}"`,
    }));
  }

  return [
    {
      path,
      position: locate(document, path, lineCounter),
      message: issueMessage(issue, data),
    },
  ];
}

/**
 * Finds where a stack path lives in the YAML document. A path that does
 * not exist (a missing key) points at the nearest enclosing node; with
 * `key`, points at that key of the map found at `path`.
 */
function locate(
  document: Document,
  path: readonly (string | number)[],
  lineCounter: LineCounter,
  key?: string,
): SourcePosition {
  let node: unknown = document.contents;
  let found: Node | null = isNode(node) ? node : null;

  for (const segment of path) {
    const child = childOf(node, segment);
    if (child === undefined) {
      break;
    }
    node = child.value;
    found = child.keyNode ?? found;
    if (isNode(child.value)) {
      found = child.value;
    }
  }

  if (key !== undefined) {
    const keyNode = childOf(node, key)?.keyNode;
    if (keyNode) {
      found = keyNode;
    }
  }

  return positionAt(found?.range?.[0] ?? 0, lineCounter);
}

function childOf(
  node: unknown,
  segment: string | number,
): { value: unknown; keyNode?: Node } | undefined {
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  if (!isMap(node)) {
    return undefined;
  }

  for (const pair of node.items) {
    if (!isPair(pair)) {
      continue;
    }
    const keyValue = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(keyValue) === String(segment)) {
      return isNode(pair.key)
        ? { value: pair.value, keyNode: pair.key }
        : { value: pair.value };
    }
  }

  return undefined;
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}

function positionAt(offset: number, lineCounter: LineCounter): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);

  return { line, column: col };
}
