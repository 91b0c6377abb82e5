/**
 * Rule keep-alive-timeout-restart: a request that arrives on a kept-alive
 * connection inside the server's idle window is served on that connection,
 * and the idle timer starts again from its response: the connection closes a
 * full window after the last response, not after the first.
 *
 * Source: RFC 9112 §9.5 (a server closes connections that have been idle);
 * Node docs, `server.keepAliveTimeout` ("if the server receives new data
 * before the keep-alive timeout has fired, it will reset the regular
 * inactivity timeout").
 * Versions: the same on every release from 18.14.0 to 26.10.0; the window's
 * length follows keep-alive-timeout-server-close (helpers/node-server.ts).
 */
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { TIMER_EARLY_MS } from '../helpers/wait';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { GET_HTTP11 } from '../fixtures/messages';
import { setTimeout as sleep } from 'node:timers/promises';

const EARLY = TIMER_EARLY_MS;

describe("a request inside the idle window restarts the server's idle timer", () => {
  it('a connection that gets a second request inside the window closes a full window after it; its neighbour with one request closes a window after that one', async () => {
    // A window of about 600 ms (shortIdle: 1001 ms where the buffer is fixed); the second
    // request goes at 200 ms, so a timer up to 400 ms late still lands inside it.
    const srv = await startServer(shortIdle(600));
    const idle = idleCloseMs(srv.server);
    const [once, twice] = [await openRaw(srv.port), await openRaw(srv.port)];
    once.send(GET_HTTP11);
    twice.send(GET_HTTP11);
    await Promise.all([once.readResponse(), twice.readResponse()]);
    await sleep(200);
    twice.send(GET_HTTP11);
    await twice.readResponse();
    // Which accepted connection is which, by the client port the server saw.
    const numberOf = (raw: typeof once) => srv.requests.find((r) => r.peerPort === raw.socket.localPort)!.connection;
    const [n1, n2] = [numberOf(once), numberOf(twice)];
    const [onceIdle, twiceIdle] = await Promise.all([srv.idleBeforeClose(n1, idle + 2_000), srv.idleBeforeClose(n2, idle + 2_000)]);
    const [twiceFirst, twiceSecond] = srv.requests.filter((r) => r.connection === n2).map((r) => r.finishedAt!);

    expect(srv.requests.filter((r) => r.connection === n1)).toHaveLength(1);
    expect(srv.requests.filter((r) => r.connection === n2)).toHaveLength(2);
    // The neighbour: one window after its only response.
    expect(onceIdle).toBeGreaterThanOrEqual(idle - EARLY);
    // Restarted: a full window after the second response, so longer after the first than one window.
    expect(twiceIdle).toBeGreaterThanOrEqual(idle - EARLY);
    expect(twiceIdle + (twiceSecond! - twiceFirst!)).toBeGreaterThan(idle + 150);
  });
});
