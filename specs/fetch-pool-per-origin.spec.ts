/**
 * Rule fetch-pool-per-origin: fetch() pools connections per origin (scheme,
 * host as written, port). `http://localhost:P` and `http://127.0.0.1:P` are
 * two origins even when both reach the same server, so they never share a
 * connection; two fetches to the same origin do.
 *
 * Source: RFC 6454 (origin); undici Agent (one pool per origin); measured.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 * The server listens on both 127.0.0.1 and ::1 at one port (found with
 * get-port before either listens), so `localhost` works whichever address
 * it resolves to.
 */
import getPort from 'get-port';
import { startServer } from '../helpers/server';
import { setImmediate } from 'node:timers/promises';

/** Two fetches, a macrotask apart, each body read to its end. */
async function fetchBoth(first: string, second: string): Promise<void> {
  await (await fetch(first)).text();
  await setImmediate();
  await (await fetch(second)).text();
}

describe('fetch() keeps one pool per origin', () => {
  it('http://127.0.0.1:P then http://localhost:P use two connections, though both reach one server', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const [v4, v6] = await Promise.all([startServer({ port }), startServer({ port, host: '::1' })]);
    await fetchBoth(`http://127.0.0.1:${port}/by-ip`, `http://localhost:${port}/by-name`);
    // `localhost` may resolve to either address; what the two listeners saw, together:
    const seen = [...v4.requests.map((r) => ({ ...r, on: '127.0.0.1' })), ...v6.requests.map((r) => ({ ...r, on: '::1' }))];
    const byIp = seen.find((r) => r.url === '/by-ip')!;
    const byName = seen.find((r) => r.url === '/by-name')!;

    expect(byIp.on).toBe('127.0.0.1');
    expect(byName).toBeDefined();
    // Not the same TCP connection: another listener, or another connection on the same one.
    expect(`${byName.on} #${byName.connection}`).not.toBe(`${byIp.on} #${byIp.connection}`);
    expect(v4.connections.length + v6.connections.length).toBe(2);
  });

  it('two fetches to http://127.0.0.1:P use one connection (the reference case)', async () => {
    const srv = await startServer();
    await fetchBoth(`${srv.origin}/first`, `${srv.origin}/second`);

    expect(srv.requests.map((r) => [r.url, r.connection])).toEqual([
      ['/first', 1],
      ['/second', 1],
    ]);
    expect(srv.connections).toHaveLength(1);
  });
});
