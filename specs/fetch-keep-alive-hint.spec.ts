/**
 * Rule fetch-keep-alive-hint: fetch() (undici) derives its idle timeout for
 * a pooled connection from the server's `Keep-Alive: timeout=N`: N seconds
 * minus a 2 s safety threshold. A hint of 2 s or less leaves nothing, so the
 * connection is closed right after the response and never reused. Without
 * a hint, undici keeps an idle connection 4 s.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15`); undici Client options
 * keepAliveTimeout (default 4e3), keepAliveTimeoutThreshold; measured.
 * Versions: ≥ 20 (undici 6+): threshold 2 s.
 *           ≤ 18 (undici 5): threshold 1 s — `timeout=1` stops reuse,
 *           `timeout=2` does not; its timers are coarse (±1 s), so no exact time.
 */
import { startServer, respondWithHeader, type ServerFixture } from '../helpers/server';
import { itOn } from '../helpers/versions';
import { within, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';

/** A server that says `Keep-Alive: <hint>` and itself keeps connections a minute. */
function serverHinting(hint: string): Promise<ServerFixture> {
  return startServer({ keepAliveTimeout: 60_000, handler: respondWithHeader('Keep-Alive', hint) });
}

/** Two fetches a macrotask apart. */
async function twoFetches(srv: ServerFixture): Promise<void> {
  await (await fetch(`${srv.origin}/`)).text();
  await new Promise((resolve) => setImmediate(resolve));
  await (await fetch(`${srv.origin}/`)).text();
}

describe("fetch() follows the server's Keep-Alive: timeout hint", () => {
  itOn({ since: 20 }, 'after "timeout=2" (no more than the 2 s threshold) the client closes the connection at once; the next fetch connects anew', async () => {
    const srv = await serverHinting('timeout=2');
    await twoFetches(srv);

    expect(await srv.idleBeforeClose(1, 1_000)).toBeLessThan(500);
    expect(srv.distinctPeerPorts()).toBe(2);
  });

  itOn({ since: 20 }, 'after "timeout=3" the connection is reused, and closed by the client 3 s − 2 s = 1 s after its last response', async () => {
    const srv = await serverHinting('timeout=3');
    await twoFetches(srv);
    const idle = await srv.idleBeforeClose(1, 3_000);

    expect(srv.connections).toHaveLength(1);
    expect(idle).toBeGreaterThanOrEqual(1_000 - TIMER_EARLY_MS);
    expect(idle).toBeLessThan(1_000 + TIMER_LATE_MS);
  });

  itOn({ until: 18 }, 'after "timeout=1" (no more than the 1 s threshold) the connection is closed at once; the next fetch connects anew', async () => {
    const srv = await serverHinting('timeout=1');
    await twoFetches(srv);

    expect(srv.distinctPeerPorts()).toBe(2);
  });

  itOn({ until: 18 }, 'after "timeout=2" the connection is reused', async () => {
    const srv = await serverHinting('timeout=2');
    await twoFetches(srv);

    expect(srv.connections).toHaveLength(1);
    await within(3_000, 'client closing the idle connection', srv.closed(1));
  });
});
