/**
 * Bounded waits. A spec awaits events, never a bare sleep; each wait has a
 * bound so a broken rule fails with a message instead of hanging until Jest's
 * test timeout.
 */
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolve with `promise`, or reject naming `what` if it takes longer than `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  const abort = new AbortController();
  const timer = sleep(ms, undefined, { signal: abort.signal, ref: false }).then(
    () => Promise.reject(new Error(`${what}: did not happen within ${ms} ms`)),
    () => undefined as never,
  );
  try {
    return await Promise.race([promise, timer]);
  } finally {
    abort.abort();
  }
}

/** Await `emitter`'s next `event`, at most `ms` milliseconds. */
export function nextEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  ms = 2_000,
): Promise<T> {
  return within(ms, `'${event}' event`, once(emitter, event) as Promise<T>);
}

/**
 * Resolve `true` if `emitter` emits `event` within `ms`, else `false`.
 * For "must not happen" checks: a short unref'd timer, not a long sleep.
 */
export async function emitsWithin(emitter: EventEmitter, event: string, ms: number): Promise<boolean> {
  try {
    await once(emitter, event, { signal: AbortSignal.timeout(ms) });
    return true;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  }
}

/** Milliseconds since `start` (from `performance.now()`), rounded. */
export function msSince(start: number): number {
  return Math.round(performance.now() - start);
}

/**
 * How early a Node timer may look when timed with `performance.now()`.
 * Timers count from the event loop's cached clock (libuv's loop time, read
 * when the current loop iteration began), so in a busy worker a long
 * iteration makes a timer seem to fire early by up to that iteration's
 * length. Timing specs allow this much, and choose values far enough apart
 * that the allowance never blurs two cases.
 */
export const TIMER_EARLY_MS = 50;

/** How late a timer may fire on a loaded 2-core machine before a spec calls it wrong. */
export const TIMER_LATE_MS = 800;

/**
 * Resolve on the next `process.nextTick`: the tick in which an agent frees a
 * socket whose response has ended ('free' is emitted one tick after 'end').
 * node:timers/promises has setImmediate and setTimeout, but no nextTick.
 */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}
