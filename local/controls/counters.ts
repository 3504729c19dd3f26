/** Reads (GET, HEAD) versus writes (every other method). */
export type RequestClass = 'read' | 'write';

/** Requests counted since the last reset. */
export interface CounterSnapshot {
  total: number;
  read: number;
  write: number;
  /** Per route key (`METHOD /pattern`); unknown routes count under
   * `METHOD <unmatched>`. */
  routes: Record<string, number>;
}

/** The class of an HTTP method. */
export function requestClassOf(method: string): RequestClass {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/** Counts requests per route and per class. */
export class RequestCounters {
  #routes = new Map<string, number>();
  #read = 0;
  #write = 0;

  /** Counts one request to `routeKey` made with `method`. */
  record(method: string, routeKey: string): void {
    this.#routes.set(routeKey, (this.#routes.get(routeKey) ?? 0) + 1);
    if (requestClassOf(method) === 'read') {
      this.#read += 1;
    } else {
      this.#write += 1;
    }
  }

  /** Requests to one route key (0 if none). */
  count(routeKey: string): number {
    return this.#routes.get(routeKey) ?? 0;
  }

  /** A copy of every counter. */
  snapshot(): CounterSnapshot {
    return {
      total: this.#read + this.#write,
      read: this.#read,
      write: this.#write,
      routes: Object.fromEntries(
        [...this.#routes].sort(([a], [b]) => a.localeCompare(b)),
      ),
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.#routes = new Map();
    this.#read = 0;
    this.#write = 0;
  }
}
