import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  REPEAT_WINDOW_MS,
  type SignalSource,
  STOP_EXIT,
  stopOnSignals,
} from '../../local/shutdown.ts';

interface Harness {
  source: EventEmitter;
  exits: number[];
  stops: number;
  forced: string[];
  clock: { ms: number };
  settle(): Promise<void>;
}

function harness(stop: () => Promise<void> = async () => undefined) {
  const source = new EventEmitter();
  const state: Harness = {
    source,
    exits: [],
    stops: 0,
    forced: [],
    clock: { ms: 0 },
    settle: () => new Promise((resolve) => setImmediate(resolve)),
  };
  stopOnSignals({
    stop: () => {
      state.stops += 1;
      return stop();
    },
    onForced: (signal) => state.forced.push(signal),
    source: source as unknown as SignalSource,
    exit: (code) => state.exits.push(code),
    now: () => state.clock.ms,
  });

  return state;
}

describe('stopOnSignals', () => {
  it.each([
    { case: 'SIGINT', signal: 'SIGINT' },
    { case: 'SIGTERM', signal: 'SIGTERM' },
  ])('stops once and exits 0 on $case', async ({ signal }) => {
    const run = harness();

    run.source.emit(signal, signal);
    await run.settle();

    expect(run.stops).toBe(1);
    expect(run.exits).toEqual([STOP_EXIT.stopped]);
  });

  it('takes a repeat within the window as the same request', async () => {
    let finish: () => void = () => {};
    const run = harness(() => new Promise((resolve) => (finish = resolve)));

    run.source.emit('SIGINT', 'SIGINT');
    run.clock.ms = REPEAT_WINDOW_MS - 1;
    run.source.emit('SIGINT', 'SIGINT');
    run.source.emit('SIGTERM', 'SIGTERM');
    finish();
    await run.settle();

    expect(run.stops).toBe(1);
    expect(run.forced).toEqual([]);
    expect(run.exits).toEqual([STOP_EXIT.stopped]);
  });

  it('exits at once with 1 on a signal after the window', async () => {
    const run = harness(() => new Promise(() => undefined));

    run.source.emit('SIGINT', 'SIGINT');
    run.clock.ms = REPEAT_WINDOW_MS;
    run.source.emit('SIGINT', 'SIGINT');
    await run.settle();

    expect(run.forced).toEqual(['SIGINT']);
    expect(run.exits).toEqual([STOP_EXIT.failed]);
  });

  it('exits 1 when a part fails to stop', async () => {
    const run = harness(() => Promise.reject(new Error('stuck')));

    run.source.emit('SIGTERM', 'SIGTERM');
    await run.settle();

    expect(run.exits).toEqual([STOP_EXIT.failed]);
  });

  it('removes the listeners set before it (async-exit-hook)', () => {
    const source = new EventEmitter();
    const early = () => undefined;
    source.on('SIGINT', early);
    source.on('SIGTERM', early);

    const release = stopOnSignals({
      stop: async () => undefined,
      source: source as unknown as SignalSource,
      exit: () => undefined,
    });
    const counts = [source.listenerCount('SIGINT')];
    const held = source.listeners('SIGTERM').includes(early);
    release();

    expect(counts).toEqual([1]);
    expect(held).toBe(false);
    expect(source.listenerCount('SIGINT')).toBe(0);
  });
});
