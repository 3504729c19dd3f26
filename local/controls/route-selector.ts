/**
 * A route selector picks routes by their key `METHOD /pattern`, e.g.
 * `GET /secret-manager/v1beta1/regions/{region}/secrets`:
 * - `undefined` or `*`: every route;
 * - `METHOD /pattern`: that route exactly;
 * - `/pattern`: that pattern with any method;
 * - ending in `*`: every key (or pattern) starting with what precedes it,
 *   e.g. `GET /vpc/*` or `/iam/*`.
 */
export type RouteSelector = string | undefined;

/** Whether `selector` picks the route whose key is `routeKey`. */
export function selectsRoute(selector: RouteSelector, routeKey: string) {
  if (selector === undefined || selector === '*') {
    return true;
  }

  const pattern = routeKey.slice(routeKey.indexOf(' ') + 1);
  const subject = selector.startsWith('/') ? pattern : routeKey;
  if (selector.endsWith('*')) {
    return subject.startsWith(selector.slice(0, -1));
  }

  return subject === selector;
}

/** The key of a route: `METHOD /pattern`. */
export function routeKey(method: string, pattern: string): string {
  return `${method} ${pattern}`;
}
