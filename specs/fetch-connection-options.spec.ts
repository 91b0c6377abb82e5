/**
 * Rule fetch-connection-options: fetch's `keepalive` option has nothing to
 * do with connection reuse — it is the Fetch standard's flag for a request
 * that may outlive its page — so `keepalive: false` still reuses the
 * connection. What ends persistence is a `Connection: close` request header:
 * undici sends it, the server answers `Connection: close`, and the next
 * fetch opens a new connection.
 *
 * Source: WHATWG Fetch (request keepalive flag); RFC 9112 §9.6; measured.
 * Versions: undici before 5.19.1 (Node 18.14.0, undici 5.14.0) refuses a
 * Connection request header in fetch() ("invalid connection header"), so
 * there is no way to ask for close; from Node 18.14.1 (undici 5.19.1) it is sent.
 */
import { startServer, type ServerFixture } from '../helpers/server';
import { setImmediate } from 'node:timers/promises';
import { byRelease } from '../helpers/versions';
import { FETCH_SENDS_CONNECTION_HEADER } from '../helpers/release-gates';

/** Two fetches with `init`, a macrotask apart; the first response's Connection header. */
async function twoFetches(srv: ServerFixture, init: RequestInit): Promise<string | null> {
  const first = await fetch(`${srv.origin}/`, init);
  await first.text();
  await setImmediate();
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

  byRelease([
    {
      on: FETCH_SENDS_CONNECTION_HEADER.yes,
      title: 'a Connection: close request header is sent, answered with Connection: close, and the next fetch connects anew',
      test: async () => {
        const srv = await startServer();
        const answered = await twoFetches(srv, { headers: { connection: 'close' } });

        expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['close', 'close']);
        expect(answered).toBe('close');
        expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
      },
    },
    {
      on: FETCH_SENDS_CONNECTION_HEADER.no,
      title: 'a Connection request header is refused before anything is sent: "fetch failed", caused by UND_ERR_INVALID_ARG',
      test: async () => {
        const srv = await startServer();
        const attempt = fetch(`${srv.origin}/`, { headers: { connection: 'close' } });

        await expect(attempt).rejects.toMatchObject({ message: 'fetch failed', cause: { code: 'UND_ERR_INVALID_ARG' } });
        expect(srv.connections).toHaveLength(0);
        // Without that header the same fetch goes through (the counter-case).
        await (await fetch(`${srv.origin}/`)).text();
        expect(srv.requests.map((r) => r.connectionHeader)).toEqual(['keep-alive']);
      },
    },
  ]);
});
