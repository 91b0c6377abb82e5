/**
 * Rule fetch-pool-per-origin: fetch() pools connections per origin (scheme,
 * host as written, port). `http://localhost:P` and `http://127.0.0.1:P` are
 * two origins even when both reach the same server, so they never share a
 * connection; two fetches to the same origin do.
 *
 * Source: RFC 6454 (origin); undici Agent (one pool per origin); measured.
 * Versions: the same on every Node major.
 * The server listens on both 127.0.0.1 and ::1 at one port (found with
 * get-port before either listens), so `localhost` works whichever address
 * it resolves to.
 */
import getPort from 'get-port';
import { startServer } from '../helpers/server';

/** Two fetches, a macrotask apart; returns the connections the servers accepted in all. */
async function fetchBoth(first: string, second: string, count: () => number): Promise<number> {
  await (await fetch(first)).text();
  await new Promise((resolve) => setImmediate(resolve));
  await (await fetch(second)).text();
  return count();
}

describe('fetch() keeps one pool per origin', () => {
  it('http://127.0.0.1:P then http://localhost:P use two connections, though both reach one server', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const [v4, v6] = await Promise.all([startServer({ port }), startServer({ port, host: '::1' })]);
    const connections = await fetchBoth(`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, () => v4.connections.length + v6.connections.length);

    expect(connections).toBe(2);
    expect(v4.requests.length + v6.requests.length).toBe(2);
  });

  it('two fetches to http://127.0.0.1:P use one connection (the reference case)', async () => {
    const srv = await startServer();
    const connections = await fetchBoth(`${srv.origin}/`, `${srv.origin}/`, () => srv.connections.length);

    expect(connections).toBe(1);
  });
});
