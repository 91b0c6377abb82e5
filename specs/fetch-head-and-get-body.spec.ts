/**
 * Rule fetch-head-and-get-body: fetch() (Node's bundled undici) does not
 * reuse the connection of a HEAD request: the connection ends right after
 * the response (the server sees the close at once, far before its idle
 * timeout) and the next fetch connects anew — a guard against servers that
 * wrongly send a body after a HEAD response. Who ends it differs by release
 * (the request's Connection header, as the server saw it): undici 5.14.0 (Node 18.14.0, 19.0.0 – 19.5.0) sends the
 * HEAD with `Connection: keep-alive` and closes the socket itself; since
 * undici 5.16.0 (Node 18.14.1, 19.6.0) it sends `Connection: close`, and the
 * server closes the connection after its response. A GET's connection is reused. undici resets
 * the connection for a GET or HEAD that carries a body too, but fetch() never
 * sends one: it refuses such a request with a TypeError before connecting.
 *
 * Source: undici test/get-head-body.js ("HEAD should reset connection",
 * "GET and HEAD with body should reset connection"); undici lib/dispatcher/client-h1.js
 * (HEAD sets the socket's reset flag); WHATWG Fetch, Request constructor
 * (a GET/HEAD request with a body is a TypeError); RFC 9110 §9.3.2 (HEAD).
 * Versions: no reuse after a HEAD on every release from 18.14.0 (undici 5.14.0) to 26.12.1 (undici 8.12.2);
 * Connection: close on the HEAD since undici 5.16.0 (FETCH_SENDS_CONNECTION_HEADER: Node 18.14.1, 19.6.0).
 */
import { setImmediate } from 'node:timers/promises';
import { startServer } from '../helpers/server';
import { within, emitsWithin } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { FETCH_SENDS_CONNECTION_HEADER } from '../helpers/release-gates';

/** fetch() each method in turn, reading each body and waiting a macrotask in between (see fetch-serial-reuse). */
async function fetchInTurn(origin: string, methods: string[]): Promise<void> {
  for (const method of methods) {
    await (await fetch(`${origin}/`, { method })).text();
    await setImmediate();
  }
}

describe('fetch() does not reuse the connection of a HEAD request', () => {
  /** A HEAD, then a GET: the HEAD's connection closes within 1 s (the server's idle timeout is 5 s); what the server saw. */
  const headThenGet = async (): Promise<string[]> => {
    const srv = await startServer({ keepAliveTimeout: 5_000 });
    await fetchInTurn(srv.origin, ['HEAD']);
    await within(1_000, 'the HEAD connection closing', srv.closed(1));
    await fetchInTurn(srv.origin, ['GET']);
    return srv.requests.map((r) => `${r.method} on ${r.connection}, Connection: ${r.connectionHeader}`);
  };

  byRelease([
    {
      on: FETCH_SENDS_CONNECTION_HEADER.no,
      title: 'after a HEAD, fetch (undici 5.14.0) asks to keep the connection alive, then closes it itself, well within the server\'s idle timeout; the next fetch connects anew',
      // The server was asked to keep it and would close only after 5 s idle: the close was the client's.
      test: async () => expect(await headThenGet()).toEqual(['HEAD on 1, Connection: keep-alive', 'GET on 2, Connection: keep-alive']),
    },
    {
      on: FETCH_SENDS_CONNECTION_HEADER.yes,
      title: 'after a HEAD, fetch sends it with Connection: close, so the server closes the connection after its response; the next fetch connects anew',
      test: async () => expect(await headThenGet()).toEqual(['HEAD on 1, Connection: close', 'GET on 2, Connection: keep-alive']),
    },
  ]);

  it('counter-case: after a GET, the next fetch reuses the connection', async () => {
    const srv = await startServer({ keepAliveTimeout: 5_000 });
    await fetchInTurn(srv.origin, ['GET', 'GET', 'HEAD']);

    expect(srv.requests.map((r) => `${r.method} on ${r.connection}`)).toEqual(['GET on 1', 'GET on 1', 'HEAD on 1']);
  });

  it.each(['GET', 'HEAD'])('fetch refuses a %s with a body (TypeError) before it connects, so its connection reset is never reached', async (method) => {
    const srv = await startServer();
    // A TypeError of Node's realm, not the test's: matched by name.
    await expect(fetch(`${srv.origin}/`, { method, body: 'x' })).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/GET\/HEAD/) });

    // No connection then, nor a moment later (a connect begun before the refusal would be accepted by then).
    expect(srv.connections).toHaveLength(0);
    expect(await emitsWithin(srv.server, 'connection', 50)).toBe(false);
  });
});
