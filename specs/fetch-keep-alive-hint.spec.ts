/**
 * Rule fetch-keep-alive-hint: fetch() (undici) derives its idle timeout for
 * a pooled connection from the server's `Keep-Alive: timeout=N`: N seconds
 * minus a 2 s safety threshold. A hint of 2 s or less leaves nothing, so the
 * connection is closed right after the response and never reused. Without
 * a hint, undici keeps an idle connection 4 s.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15`); undici Client options
 * keepAliveTimeout (default 4e3), keepAliveTimeoutThreshold; measured.
 * Versions: by the bundled undici (FETCH_HINT_THRESHOLD in release-gates.ts):
 *   undici ≥ 6.0.0: threshold 2 s;
 *   undici 5:       threshold 1 s — `timeout=1` stops reuse, `timeout=2` does
 *                   not; its idle timers tick once a second, so only bounds.
 */
import { startServer, respondWithHeader, type ServerFixture } from '../helpers/server';
import { byRelease } from '../helpers/versions';
import { FETCH_HINT_THRESHOLD } from '../helpers/release-gates';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { setImmediate } from 'node:timers/promises';

/**
 * How far off undici before 6.14.0 fires an idle timer: its timers tick once
 * a second, so up to 2 s late (undici PR #3145; about 1 s late measured on
 * undici 5.23–6.13) or, counted from a stale clock, up to 1 s early (about
 * 0.1 s early measured on undici 5.19.1, Node 18.14.1).
 */
const UNDICI_TICKS = { early: 1_000, late: 2_000 };

/** A server that says `Keep-Alive: <hint>` and itself keeps connections a minute. */
function serverHinting(hint: string): Promise<ServerFixture> {
  return startServer({ keepAliveTimeout: 60_000, handler: respondWithHeader('Keep-Alive', hint) });
}

/** Two fetches a macrotask apart. */
async function twoFetches(srv: ServerFixture): Promise<void> {
  await (await fetch(`${srv.origin}/`)).text();
  await setImmediate();
  await (await fetch(`${srv.origin}/`)).text();
}

describe("fetch() follows the server's Keep-Alive: timeout hint", () => {
  it('after "timeout=1" (within either threshold) the connection is closed at once; the next fetch connects anew', async () => {
    const srv = await serverHinting('timeout=1');
    await twoFetches(srv);

    expect(await srv.idleBeforeClose(1, 2_000)).toBeLessThan(TIMER_LATE_MS); // at once, not after a timer
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  byRelease([
    {
      on: FETCH_HINT_THRESHOLD.twoSeconds,
      title: 'after "timeout=2" (no more than the 2 s threshold) the client closes the connection at once; the next fetch connects anew',
      test: async () => {
        const srv = await serverHinting('timeout=2');
        await twoFetches(srv);

        expect(await srv.idleBeforeClose(1, 2_000)).toBeLessThan(TIMER_LATE_MS); // at once, not after a timer
        expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
      },
    },
    {
      on: FETCH_HINT_THRESHOLD.oneSecond,
      title: 'after "timeout=2" (more than the 1 s threshold) the connection is reused, and closed by the client within 2 s − 1 s, give or take a 1 s tick',
      test: async () => {
        const srv = await serverHinting('timeout=2');
        await twoFetches(srv);
        const idle = await srv.idleBeforeClose(1, 1_000 + UNDICI_TICKS.late + TIMER_LATE_MS);

        expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
        expect(idle).toBeLessThan(1_000 + UNDICI_TICKS.late + TIMER_LATE_MS);
      },
    },
  ]);

  byRelease([
    {
      on: FETCH_HINT_THRESHOLD.twoSeconds,
      title: 'after "timeout=3" the connection is reused, and closed by the client 3 s − 2 s = 1 s after its last response',
      test: async () => {
        const srv = await serverHinting('timeout=3');
        await twoFetches(srv);
        const idle = await srv.idleBeforeClose(1, 3_000);

        expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
        expect(idle).toBeGreaterThanOrEqual(1_000 - TIMER_EARLY_MS);
        expect(idle).toBeLessThan(1_000 + TIMER_LATE_MS);
      },
    },
    {
      on: FETCH_HINT_THRESHOLD.oneSecond,
      title: 'after "timeout=3" the connection is reused, and closed by the client 3 s − 1 s = 2 s after its last response, give or take a 1 s tick',
      test: async () => {
        const srv = await serverHinting('timeout=3');
        await twoFetches(srv);
        const idle = await srv.idleBeforeClose(1, 2_000 + UNDICI_TICKS.late + TIMER_LATE_MS);

        expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
        expect(idle).toBeGreaterThanOrEqual(2_000 - UNDICI_TICKS.early - TIMER_EARLY_MS);
        expect(idle).toBeLessThan(2_000 + UNDICI_TICKS.late + TIMER_LATE_MS);
      },
    },
  ]);
});
