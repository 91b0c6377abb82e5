/**
 * Measurements in the words findings.json uses, so a test compares a
 * sentence the table shows, and a changed behaviour reads as a changed cell.
 */
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import type { Outcome, Shutdown } from './measure';

/**
 * A close this soon after its cause is "at once". Wide, because a loaded
 * 2-core machine stalls a worker's event loop for most of a second (seen:
 * 0.9 s); the cases it separates are seconds apart: the shutdown specs' slow
 * response takes 2.5 s, an idle deadline 6 s.
 */
export const AT_ONCE_MS = 1_500;

const near = (ms: number | undefined, target: number) => ms !== undefined && ms >= target - TIMER_EARLY_MS && ms < target + TIMER_LATE_MS;

/** "FIN at once", "FIN at the idle deadline", "FIN after 1234 ms", "still open at the bound". */
function closedWords(how: string | undefined, afterMs: number | undefined, deadline: number): string {
  if (how === undefined || afterMs === undefined) return 'still open at the bound';
  if (afterMs <= AT_ONCE_MS) return `${how} at once`;
  if (near(afterMs, deadline)) return `${how} at the idle deadline`;
  return `${how} after ${afterMs} ms`;
}

/** The idle connection at shutdown: "FIN at once", or how long it stayed. */
export function idleAtShutdown(s: Shutdown, deadline: number): string {
  const words = closedWords(s.idle.how, s.idle.afterMs, deadline);
  return words === 'still open at the bound' ? 'open' : words;
}

/** The busy connection: "200 keep-alive, then FIN at once". */
export function busyAtShutdown(s: Shutdown, deadline: number): string {
  if (s.busy.status === undefined) return s.busy.closed ? `no response, ${s.busy.closed}` : 'no response within the bound';
  const close = closedWords(s.busy.closed, s.busy.closedAfterMs, deadline);
  return `${s.busy.status} ${s.busy.connection ?? '(no Connection header)'}, ${close === 'still open at the bound' ? close : `then ${close}`}`;
}

/** How long stop() took, relative to the busy response. */
export function stopWords(s: Shutdown, deadline: number): string {
  if (s.stopMs === undefined) return 'not within the bound';
  if (s.busy.afterMs === undefined) return 'with the busy connection cut, before its response';
  const answered = s.busy.afterMs;
  if (s.stopMs <= answered + AT_ONCE_MS) return 'with the busy response';
  if (near(s.stopMs - answered, deadline)) return "at the busy connection's idle deadline";
  return `after ${s.stopMs} ms`;
}

/** A late request: "200 keep-alive", "503 close, then FIN", "no response, FIN", "refused (ECONNREFUSED)". */
export function outcomeWords(o: Outcome): string {
  if (o.connectError) return o.connectError === 'ECONNREFUSED' ? 'refused (ECONNREFUSED)' : `connect failed (${o.connectError})`;
  if (o.status === undefined) return o.closed ? `no response, ${o.closed}` : 'no response, still open';
  return `${o.status} ${o.connection ?? '(no Connection header)'}${o.closed ? `, then ${o.closed}` : ''}`;
}

/**
 * A new connection's outcome in the findings' words. Accepted and closed with
 * no response is one finding whether the close came after the client saw the
 * connect (FIN) or during it (ECONNRESET): the listener was still open.
 */
export function freshWords(o: Outcome): string {
  if ((!o.connectError && o.status === undefined && o.closed) || o.connectError === 'ECONNRESET') return 'accepted, then closed without a response';
  return outcomeWords(o);
}
