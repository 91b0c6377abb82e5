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
import { startServer } from '../helpers/server';
import { idleCloseAfter, openRaw } from '../helpers/raw';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { itOn } from '../helpers/versions';
import { within } from '../helpers/wait';
import { GET_HTTP11 } from '../fixtures/messages';

/** Timers never fire early by more than a millisecond or two; load only makes them late. */
const EARLY = 15;
const LATE = 800;

describe('when a Node server closes an idle kept-alive connection', () => {
  itOn({ until: 18 }, 'exactly keepAliveTimeout after the response, as advertised', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const { closedAfterMs } = await idleCloseAfter(srv.port, GET_HTTP11);

    expect(closedAfterMs).toBeGreaterThanOrEqual(200 - EARLY);
    expect(closedAfterMs).toBeLessThan(200 + LATE);
  });

  itOn({ since: 20, until: 20 }, 'keepAliveTimeout + 1000 ms after the response: a fixed buffer over what it advertises', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const { closedAfterMs } = await idleCloseAfter(srv.port, GET_HTTP11);

    expect(srv.server.keepAliveTimeoutBuffer).toBeUndefined(); // not configurable on 20
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_200 - EARLY);
    expect(closedAfterMs).toBeLessThan(1_200 + LATE);
  });

  itOn({ since: 22 }, 'keepAliveTimeout + keepAliveTimeoutBuffer after the response (buffer default 1000 ms)', async () => {
    expect(http.createServer().keepAliveTimeoutBuffer).toBe(1_000);
    // Two servers at once, advertising the same timeout=0, differing only in the buffer.
    const [plain, buffered] = await Promise.all([
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 0 }),
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 300 }),
    ]);
    const [a, b] = await Promise.all([idleCloseAfter(plain.port, GET_HTTP11), idleCloseAfter(buffered.port, GET_HTTP11)]);

    expect(a.closedAfterMs).toBeGreaterThanOrEqual(100 - EARLY);
    expect(a.closedAfterMs).toBeLessThan(100 + 250);
    expect(b.closedAfterMs).toBeGreaterThanOrEqual(400 - EARLY);
    expect(b.closedAfterMs).toBeLessThan(400 + LATE);
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
    const start = performance.now();
    const closedAt = await within(idle + 2_000, 'idle close', raw.closed);

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(closedAt - start).toBeGreaterThanOrEqual(idle - EARLY);
  });
});
