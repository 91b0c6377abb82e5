/**
 * Rule fetch-overlapped: overlapped fetch() calls to one origin each get
 * their own connection — Node's default dispatcher has no per-origin cap
 * (a browser would use ~6) and does not pipeline. Serial fetches, a
 * macrotask apart, use one.
 *
 * Source: the seed's Q&A (~6 connections per host in a browser); undici
 * Agent defaults (connections: unlimited, pipelining: 1); measured.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { holdResponses } from '../helpers/hold';
import { within } from '../helpers/wait';
import { setImmediate } from 'node:timers/promises';

describe('overlapped fetch() calls open one connection each', () => {
  it('10 fetches in flight at once reach the server on 10 connections', async () => {
    const hold = holdResponses();
    const srv = await startServer({ handler: hold.handler });
    const all = Promise.all(Array.from({ length: 10 }, () => fetch(`${srv.origin}/`).then((r) => r.text())));
    await within(2_000, 'ten requests arriving', hold.arrived(10));
    hold.releaseAll();
    await within(2_000, 'ten responses', all);

    expect(srv.distinctPeerPorts()).toBe(10);
  });

  it('10 serial fetches, a macrotask apart, reach the server on 1 connection', async () => {
    const srv = await startServer();
    for (let i = 0; i < 10; i++) {
      await (await fetch(`${srv.origin}/`)).text();
      await setImmediate();
    }

    expect(srv.connections).toHaveLength(1);
  });
});
