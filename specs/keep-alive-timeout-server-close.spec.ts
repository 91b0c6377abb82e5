/**
 * Rule keep-alive-timeout-server-close: a Node server closes an idle
 * kept-alive connection some time after its last response — exactly at
 * `keepAliveTimeout` on old majors, later than it advertises on new ones, so
 * that a client honouring the hint never races the close (a request inside
 * the window restarts the timer: keep-alive-timeout-restart).
 *
 * Source: the seed's Q&A ("the server may close whenever it likes after a
 * response"); RFC 9112 §9.5 (idle connections may be closed at any time);
 * Node docs, `server.keepAliveTimeout`, `server.keepAliveTimeoutBuffer`.
 * Versions (SERVER_IDLE_CLOSE in helpers/release-gates.ts, found by bisect;
 * the docs do not say all of this):
 *   atTimeout     at keepAliveTimeout, as advertised: before 20.18.0, 21.x, 22.0.0 – 22.8.0;
 *   fixedBuffer   at keepAliveTimeout + 1000 ms, no option: 20.18.0+, 22.9.0 – 22.18.0, 23.x, 24.0.0 – 24.5.0;
 *   bufferOption  at keepAliveTimeout + keepAliveTimeoutBuffer (default 1000): 22.19.0+, 24.6.0+.
 */
import * as http from 'node:http';
import { startServer, type ServerFixture } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { SERVER_IDLE_CLOSE } from '../helpers/release-gates';
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

/** Where the buffer is no option: a server with `keepAliveTimeout` closes `expected` ms after the response. */
async function closesWithoutOption(keepAliveTimeout: number, expected: number): Promise<void> {
  const srv = await startServer({ keepAliveTimeout });
  const idle = await idleAfterOneRequest(srv);

  expect(srv.server.keepAliveTimeoutBuffer).toBeUndefined(); // not configurable here
  expect(idle).toBeGreaterThanOrEqual(expected - EARLY);
  expect(idle).toBeLessThan(expected + LATE);
}

describe('when a Node server closes an idle kept-alive connection', () => {
  byRelease([
    {
      on: SERVER_IDLE_CLOSE.atTimeout,
      title: 'exactly keepAliveTimeout after the response, as advertised',
      test: () => closesWithoutOption(200, 200),
    },
    {
      on: SERVER_IDLE_CLOSE.fixedBuffer,
      title: 'keepAliveTimeout + 1000 ms after the response: a fixed buffer over what it advertises',
      test: () => closesWithoutOption(200, 1_200),
    },
    {
      on: SERVER_IDLE_CLOSE.bufferOption,
      title: 'keepAliveTimeout + keepAliveTimeoutBuffer after the response (buffer default 1000 ms)',
      test: async () => {
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
      },
    },
  ]);
});
