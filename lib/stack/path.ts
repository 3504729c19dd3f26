/** A path into a stack: object keys and array indexes from the root. */
export type StackPath = readonly (string | number)[];

/**
 * Formats a stack path the way people read it:
 * `['containers', 'items', 0, 'cpu']` becomes `containers.items[0].cpu`,
 * and the empty path becomes `(root)`.
 */
export function formatStackPath(path: StackPath): string {
  if (path.length === 0) {
    return '(root)';
  }

  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
      continue;
    }
    text += text === '' ? segment : `.${segment}`;
  }

  return text;
}
