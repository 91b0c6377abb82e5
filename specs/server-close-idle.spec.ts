/**
 * Rule server-close-idle: a Node server ends idle kept-alive connections on
 * request. `closeIdleConnections()` closes connections that sit between
 * requests and leaves those with a request in progress;
 * `closeAllConnections()` closes both. `server.close()` stops accepting and,
 * since Node 19.0.0, also closes idle connections; before, an idle keep-alive
 * client kept `close()` waiting until the idle timeout.
 *
 * Source: the seed's Q&A ("the server may close whenever it likes after a
 * response"); Node docs, `server.close()` (changed in v19.0.0),
 * `server.closeIdleConnections()`, `server.closeAllConnections()`.
 * Versions (helpers/release-gates.ts, bisected):
 *   server.close() closes idle connections since 19.0.0, and on 18.19.0 –
 *   18.20.2, where a backport did it by mistake until 18.20.3 reverted it
 *   (SERVER_CLOSE_ENDS_IDLE; Node issue #51677).
 *   A connection that has not sent any request yet is closed by
 *   closeIdleConnections() since 26.4.0 only (CLOSE_IDLE_ENDS_UNUSED).
 */
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { startServer } from '../helpers/server';
import { openRaw } from '../helpers/raw';
import { byRelease } from '../helpers/versions';
import { SERVER_CLOSE_ENDS_IDLE, CLOSE_IDLE_ENDS_UNUSED } from '../helpers/release-gates';
import { emitsWithin, within } from '../helpers/wait';
import { GET_HTTP11 } from '../fixtures/messages';

/** A server holding one idle kept-alive connection and one with a request in progress. */
async function idleAndBusy() {
  const held: ServerResponse[] = [];
  const srv = await startServer({ handler: (req, res) => (req.url === '/hold' ? held.push(res) : res.end('ok')) });
  const idle = await openRaw(srv.port);
  idle.send(GET_HTTP11);
  await idle.readResponse();
  const busy = await openRaw(srv.port);
  const arrived = once(srv.server, 'request');
  busy.send(GET_HTTP11.replace('GET / ', 'GET /hold '));
  await arrived;
  return { srv, idle, busy, held };
}

describe('closing idle kept-alive connections from the server', () => {
  it('closeIdleConnections() closes the idle connection and leaves the one with a request in progress', async () => {
    const { srv, idle, busy, held } = await idleAndBusy();
    srv.server.closeIdleConnections();
    await within(1_000, 'idle connection closed', idle.closed);

    expect(busy.isClosed()).toBe(false);
    held[0]!.end('done');
    expect((await busy.readResponse()).body).toBe('done');
  });

  it('closeAllConnections() closes the connection with a request in progress too', async () => {
    const { srv, idle, busy } = await idleAndBusy();
    srv.server.closeAllConnections();

    await within(1_000, 'idle connection closed', idle.closed);
    await within(1_000, 'busy connection closed', busy.closed);
  });

  byRelease([
    {
      on: SERVER_CLOSE_ENDS_IDLE.no,
      title: 'server.close() leaves an idle keep-alive connection open, so the server does not finish closing',
      test: async () => {
        const srv = await startServer();
        const raw = await openRaw(srv.port);
        raw.send(GET_HTTP11);
        await raw.readResponse();
        srv.server.close();

        expect(await emitsWithin(srv.server, 'close', 200)).toBe(false);
        expect(raw.isClosed()).toBe(false);
        // The connection still serves requests.
        raw.send(GET_HTTP11);
        expect((await raw.readResponse()).status).toBe(200);
      },
    },
    {
      on: SERVER_CLOSE_ENDS_IDLE.yes,
      title: 'server.close() also closes idle keep-alive connections, and the server finishes closing',
      test: async () => {
        const srv = await startServer();
        const raw = await openRaw(srv.port);
        raw.send(GET_HTTP11);
        await raw.readResponse();
        const closed = once(srv.server, 'close');
        srv.server.close();

        await within(1_000, 'idle connection closed', raw.closed);
        await within(1_000, "server 'close'", closed);
      },
    },
  ]);

  byRelease([
    {
      on: CLOSE_IDLE_ENDS_UNUSED.no,
      title: 'closeIdleConnections() leaves a connection that has not sent a request yet',
      test: async () => {
        const srv = await startServer();
        const fresh = await openRaw(srv.port);
        await within(2_000, 'server accepting', srv.accepted(1)); // Bun emits 'connection' for a silent connection only after about 1 s
        srv.server.closeIdleConnections();

        // 'close' covers a FIN and a reset alike.
        expect(await emitsWithin(fresh.socket, 'close', 200)).toBe(false);
        // ... and it still takes a request.
        fresh.send(GET_HTTP11);
        expect((await fresh.readResponse()).status).toBe(200);
      },
    },
    {
      on: CLOSE_IDLE_ENDS_UNUSED.yes,
      title: 'closeIdleConnections() also closes a connection that has not sent a request yet',
      test: async () => {
        const srv = await startServer();
        const fresh = await openRaw(srv.port);
        await within(2_000, 'server accepting', srv.accepted(1)); // Bun emits 'connection' for a silent connection only after about 1 s
        srv.server.closeIdleConnections();

        await within(1_000, 'fresh connection closed', fresh.closed);
        expect(srv.requests).toHaveLength(0);
      },
    },
  ]);
});
