/**
 * Rule connection-close: `Connection: close` ends persistence after the
 * response that carries it. Sent by the client, the server answers
 * `Connection: close` and closes the connection; set by the server's handler,
 * the agent does not pool the socket and the server closes it. A handler that
 * removes the Connection header sends none, which in HTTP/1.1 means
 * "persistent" — and since Node 20.0.0 the server acts on that; before, it closed
 * the connection anyway without saying so.
 *
 * Source: RFC 9112 §9.3 (persistence is the default in HTTP/1.1) and §9.6
 * (the close option); Node docs, `response.removeHeader()`.
 * Versions: the same on every release, except the removed header
 * (REMOVED_CONNECTION_HEADER, bisected: changed in 20.0.0):
 *   before 20.0.0 the server closes silently after the response;
 *   from 20.0.0 the connection stays open and is reused.
 */
import { startServer, respondWithHeader, type Handler } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { openRaw } from '../helpers/raw';
import { within } from '../helpers/wait';
import { byRelease } from '../helpers/versions';
import { REMOVED_CONNECTION_HEADER } from '../helpers/release-gates';
import { GET_HTTP11, GET_HTTP11_CLOSE } from '../fixtures/messages';

/** A handler that takes Node's own Connection header off the response. */
const withoutConnectionHeader: Handler = (req, res) => {
  req.resume();
  res.removeHeader('Connection');
  res.end('ok');
};

describe('Connection: close ends persistence after that response', () => {
  it('a client that sends Connection: close gets Connection: close back, and the server closes the connection', async () => {
    const srv = await startServer();
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11_CLOSE);
    const response = await raw.readResponse();
    await within(1_000, 'server closing the connection', raw.closed);

    expect(response.headers.connection).toEqual(['close']);
    expect(response.headers['keep-alive']).toBeUndefined();
  });

  it('a client that sends no Connection header gets keep-alive, and the connection stays open for the next request', async () => {
    const srv = await startServer();
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();
    raw.send(GET_HTTP11);
    await raw.readResponse();

    expect(response.headers.connection).toEqual(['keep-alive']);
    expect(raw.isClosed()).toBe(false);
    expect(srv.connections).toHaveLength(1);
  });

  it("a handler that sets Connection: close makes the server close the connection and the agent drop the socket: the next request opens a new connection", async () => {
    const srv = await startServer({ handler: respondWithHeader('Connection', 'close') });
    const agent = keepAliveAgent();
    const first = await request(srv, { agent });
    // The server closes the connection after that response.
    await within(1_000, 'server closing the connection', srv.closed(1));
    const second = await request(srv, { agent });
    const results = [first, second];

    expect(results[0]!.headers.connection).toBe('close');
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
    expect(results[1]!.reused).toBe(false);
  });

  byRelease([
    {
      on: REMOVED_CONNECTION_HEADER.keepsConnection,
      title: 'a handler that removes the Connection header sends none, and the connection stays open and is reused (HTTP/1.1 default)',
      test: async () => {
        const srv = await startServer({ handler: withoutConnectionHeader });
        const raw = await openRaw(srv.port);
        raw.send(GET_HTTP11);
        const response = await raw.readResponse();
        raw.send(GET_HTTP11);
        await raw.readResponse();

        expect(response.headers.connection).toBeUndefined();
        expect(response.headers['keep-alive']).toBeUndefined();
        expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
      },
    },
    {
      on: REMOVED_CONNECTION_HEADER.closesSilently,
      title: 'a handler that removes the Connection header sends none, yet the server closes the connection without saying so',
      test: async () => {
        const srv = await startServer({ handler: withoutConnectionHeader });
        const agent = keepAliveAgent();
        const first = await request(srv, { agent });
        // The agent pooled the socket (nothing said close); the server's FIN then
        // takes it out of the pool. A request sent before the FIN arrives would
        // fail with "socket hang up" instead (see reset-race).
        await within(1_000, 'server closing the connection', srv.closed(1));
        await within(1_000, 'client socket closing', first.closed);
        const second = await request(srv, { agent });

        expect(first.headers.connection).toBeUndefined();
        expect(second.reused).toBe(false);
        expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
      },
    },
  ]);

});
