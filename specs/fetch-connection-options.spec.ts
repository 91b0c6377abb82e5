/**
 * Rule fetch-connection-options: fetch's `keepalive` option has nothing to
 * do with connection reuse — it is the Fetch standard's flag for a request
 * that may outlive its page — so `keepalive: false` still reuses the
 * connection. What ends persistence is a `Connection: close` request header:
 * undici sends it, the server answers `Connection: close`, and the next
 * fetch opens a new connection.
 *
 * Source: WHATWG Fetch (request keepalive flag); RFC 9112 §9.6; measured.
 * Versions: the same on every Node major.
 */
import { startServer, type ServerFixture } from '../helpers/server';

/** Two fetches with `init`, a macrotask apart; the first response's Connection header. */
async function twoFetches(srv: ServerFixture, init: RequestInit): Promise<string | null> {
  const first = await fetch(`${srv.origin}/`, init);
  await first.text();
  await new Promise((resolve) => setImmediate(resolve));
  await (await fetch(`${srv.origin}/`, init)).text();
  return first.headers.get('connection');
}

describe("fetch's options and connection reuse", () => {
  it('keepalive: false still reuses the connection (it is not about connections)', async () => {
    const srv = await startServer();
    const answered = await twoFetches(srv, { keepalive: false });

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive', 'keep-alive']);
    expect(answered).toBe('keep-alive');
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  });

  it('a Connection: close request header is sent, answered with Connection: close, and the next fetch connects anew', async () => {
    const srv = await startServer();
    const answered = await twoFetches(srv, { headers: { connection: 'close' } });

    expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
    expect(answered).toBe('close');
    expect(srv.distinctPeerPorts()).toBe(2);
  });
});
