/**
 * Rule fetch-serial-reuse: Node's global `fetch()` (undici inside Node)
 * reuses a connection for serial fetches to one origin — but only once the
 * connection has been handed back to the pool, which happens a macrotask
 * after the body is read. A fetch started straight after `await res.text()`
 * (or after process.nextTick / a microtask) finds the connection still busy
 * and opens another one; one started after `setImmediate` or
 * `setTimeout(0)` reuses it. This is the fetch analogue of the seed's
 * "start the next request in process.nextTick" — with a different tick.
 *
 * Source: the seed (the nextTick rule for http.request); measured; undici's
 * client (the connection is released after the body's 'end' is processed).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { setImmediate, setTimeout } from 'node:timers/promises';
import { nextTick } from '../helpers/wait';

/** One fetch, body read to the end. */
async function fetchText(url: string): Promise<string> {
  return (await fetch(url)).text();
}

const idioms: Array<[string, () => Promise<unknown>]> = [
  ['right after `await res.text()`', async () => undefined],
  ['after process.nextTick', () => nextTick()],
  ['after queueMicrotask', () => new Promise<void>((resolve) => queueMicrotask(resolve))],
];
const macrotasks: Array<[string, () => Promise<unknown>]> = [
  ['after setImmediate', () => setImmediate()],
  ['after setTimeout(0)', () => setTimeout(0)],
];

describe('serial fetch() calls to one origin share a connection only after a macrotask', () => {
  it.each(idioms)('a fetch started %s opens a second connection', async (_name, pause) => {
    const srv = await startServer();
    await fetchText(`${srv.origin}/`);
    await pause();
    await fetchText(`${srv.origin}/`);

    expect(srv.distinctPeerPorts()).toBe(2);
  });

  it.each(macrotasks)('a fetch started %s reuses the connection', async (_name, pause) => {
    const srv = await startServer();
    await fetchText(`${srv.origin}/`);
    await pause();
    await fetchText(`${srv.origin}/`);

    expect(srv.connections).toHaveLength(1);
    expect(srv.distinctPeerPorts()).toBe(1);
  });

  it('fetch announces Connection: keep-alive on every request', async () => {
    const srv = await startServer();
    await fetchText(`${srv.origin}/`);

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive']);
  });
});
