/**
 * Rule keep-alive-timeout-server-close: a Node server closes an idle
 * kept-alive connection some time after its last response — exactly at
 * `keepAliveTimeout` on old majors, later than it advertises on new ones, so
 * that a client honouring the hint never races the close. A request inside
 * the idle window is served and restarts the timer.
 *
 * Source: the seed's Q&A ("the server may close whenever it likes after a
 * response"); RFC 9112 §9.5 (idle connections may be closed at any time);
 * Node docs, `server.keepAliveTimeout`, `server.keepAliveTimeoutBuffer`.
 * Versions (measured; the docs do not say all of this):
 *   ≤ 19  at keepAliveTimeout, as advertised (19 checked by hand; not in the matrix);
 *   20    at keepAliveTimeout + 1000 ms, a fixed buffer with no option;
 *   ≥ 22  at keepAliveTimeout + keepAliveTimeoutBuffer (an option, default 1000).
 */
import * as http from 'node:http';
import { startServer, type ServerFixture } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { itOn } from '../helpers/versions';
import { GET_HTTP11 } from '../fixtures/messages';

/**
 * Idle time is measured on the server, where the timer runs: from the end of
 * the response to the connection's 'close' (see TIMER_EARLY_MS for why a
 * timer may look a little early).
 */
const EARLY = TIMER_EARLY_MS;
const LATE = TIMER_LATE_MS;

/** One request on a fresh raw connection; then how long the server let it idle. */
async function idleAfterOneRequest(srv: ServerFixture): Promise<number> {
  const raw = await openRaw(srv.port);
  raw.send(GET_HTTP11);
  await raw.readResponse();
  return srv.idleBeforeClose(srv.connections.length, 3_000);
}

describe('when a Node server closes an idle kept-alive connection', () => {
  itOn({ until: 19 }, 'exactly keepAliveTimeout after the response, as advertised', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const idle = await idleAfterOneRequest(srv);

    expect(idle).toBeGreaterThanOrEqual(200 - EARLY);
    expect(idle).toBeLessThan(200 + LATE);
  });

  itOn({ since: 20, until: 20 }, 'keepAliveTimeout + 1000 ms after the response: a fixed buffer over what it advertises', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const idle = await idleAfterOneRequest(srv);

    expect(srv.server.keepAliveTimeoutBuffer).toBeUndefined(); // not configurable on 20
    expect(idle).toBeGreaterThanOrEqual(1_200 - EARLY);
    expect(idle).toBeLessThan(1_200 + LATE);
  });

  itOn({ since: 22 }, 'keepAliveTimeout + keepAliveTimeoutBuffer after the response (buffer default 1000 ms)', async () => {
    expect(http.createServer().keepAliveTimeoutBuffer).toBe(1_000);
    // Two servers at once, advertising the same timeout=0, differing only in the buffer.
    const [plain, buffered] = await Promise.all([
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 0 }),
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 300 }),
    ]);
    const [a, b] = await Promise.all([idleAfterOneRequest(plain), idleAfterOneRequest(buffered)]);

    expect(a).toBeGreaterThanOrEqual(100 - EARLY);
    expect(a).toBeLessThan(400 - EARLY); // it did not wait for a buffer
    expect(b).toBeGreaterThanOrEqual(400 - EARLY);
    expect(b).toBeLessThan(400 + LATE);
  });

  it('a request inside the idle window is served on the same connection and restarts the idle timer', async () => {
    const srv = await startServer(shortIdle(200));
    const idle = idleCloseMs(srv.server); // 200 ms, or 1200 ms on Node 20
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    await raw.readResponse();
    await new Promise((resolve) => setTimeout(resolve, 100)); // well inside the window on every major
    raw.send(GET_HTTP11);
    await raw.readResponse();

    expect(await srv.idleBeforeClose(1, idle + 2_000)).toBeGreaterThanOrEqual(idle - EARLY);
    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.requests).toHaveLength(2);
  });
});
