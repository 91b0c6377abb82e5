/**
 * Rule fetch-idle-socket-reuse: a fetch() that reuses an idle pooled
 * connection reaches the server about as soon as one on a busy loop would:
 * serial reuses, each gated on the server's 'request' event, take a few
 * milliseconds each, on one connection (eight of them well under 800 ms). On undici 8.8.0 – 8.9.x (Node
 * 26.5.1 – 26.7.x) they do not: the check undici makes of an idle socket
 * before writing to it waits on an unref'd setImmediate, which an otherwise
 * idle event loop reaches only at undici's next timer tick, so a reuse
 * stalls for about 250 ms (up to ~500 ms) before the request is written.
 *
 * Source: undici test/node-test/keep-alive-reuse.js ("reusing an idle
 * keep-alive socket must not stall": progress asserted through the server's
 * 'connection' and 'request' events); undici issue #5600, PR #5606 (fixed in
 * 8.10.0) and #5707 (a ref'd setImmediate); measured.
 * Versions (FETCH_REUSE_STALLS in helpers/release-gates.ts): stalls on
 * undici 8.8.0 – 8.9.x only; Node 26.5.1 – 26.7.x bundle 8.9.0.
 */
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { startServer } from '../helpers/server';
import { byRelease } from '../helpers/versions';
import { FETCH_REUSE_STALLS } from '../helpers/release-gates';
import { within } from '../helpers/wait';

/** Eight reuses: a stall of up to ~500 ms each adds up to far more than eight prompt ones under load. */
const REUSES = 8;
const BOUND_MS = 800;

/** One fetch to open the connection, then REUSES more, each a macrotask after the last: ms from each fetch() to the server's 'request'. */
async function reuses(): Promise<{ waits: number[]; connections: number[] }> {
  const srv = await startServer();
  await (await fetch(`${srv.origin}/0`)).text();
  const waits: number[] = [];
  for (let i = 1; i <= REUSES; i++) {
    await setImmediate(); // the connection is idle in the pool, as fetch-serial-reuse needs
    const requested = once(srv.server, 'request');
    const started = performance.now();
    const response = fetch(`${srv.origin}/${i}`);
    await within(2_000, `request ${i} reaching the server`, requested);
    waits.push(Math.round(performance.now() - started));
    await (await response).text();
  }
  return { waits, connections: srv.requests.map((r) => r.connection) };
}

describe('a fetch() that reuses an idle connection', () => {
  byRelease([
    {
      on: FETCH_REUSE_STALLS.no,
      title: `does not stall: ${REUSES} serial reuses on one connection reach the server within ${BOUND_MS} ms in all`,
      test: async () => {
        const { waits, connections } = await reuses();

        expect(connections).toEqual(new Array(REUSES + 1).fill(1));
        expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(BOUND_MS); // measured in Jest: 8 – 31 ms; stalled (26.5.1, 26.7.0): 1.93 – 1.99 s
      },
    },
    {
      on: FETCH_REUSE_STALLS.yes,
      title: `stalls: ${REUSES} serial reuses on one connection wait for undici's timer tick, over ${BOUND_MS} ms in all`,
      test: async () => {
        const { waits, connections } = await reuses();

        expect(connections).toEqual(new Array(REUSES + 1).fill(1));
        expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(BOUND_MS);
      },
    },
  ]);

  it('a fetch on a new connection is not held back either: the server sees each request at once', async () => {
    // The counter-case: no idle socket to check. `Connection: close` from the server ends each connection.
    const srv = await startServer({
      handler: (req, res) => {
        req.resume();
        res.setHeader('Connection', 'close');
        res.end('ok');
      },
    });
    const started = performance.now();
    for (let i = 0; i < REUSES; i++) await (await fetch(`${srv.origin}/${i}`)).text();

    expect(srv.requests.map((r) => r.connection)).toEqual(Array.from({ length: REUSES }, (_, i) => i + 1));
    expect(performance.now() - started).toBeLessThan(BOUND_MS * 2); // new connections cost a handshake each
  });
});
