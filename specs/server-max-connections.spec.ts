/**
 * Rule server-max-connections: idle kept-alive connections hold server
 * slots. With `server.maxConnections` reached by idle keep-alive clients, the
 * next client's connection is accepted by the kernel and then dropped at
 * once: the client sees ECONNRESET "socket hang up", the server a 'drop'
 * event. It is not queued. Closing idle connections (closeIdleConnections()
 * or the idle timeout) frees the slots.
 *
 * Source: the seed's Q&A ("if the server can handle 100 connections and all
 * use keep-alive, is the 101st dropped?" — yes, while the 100 sit idle);
 * Node docs, `server.maxConnections`, net.Server 'drop' (added v18.6.0).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { shortIdle, idleCloseMs } from '../helpers/node-server';
import { openRaw } from '../helpers/raw';
import { TIMER_EARLY_MS, within } from '../helpers/wait';
import { GET_HTTP11 } from '../fixtures/messages';

/**
 * A server with one slot, taken by an idle kept-alive client. The holder is a
 * raw socket, which keeps the connection whatever Keep-Alive hint it gets.
 */
async function fullServer(options: http.ServerOptions = {}) {
  const srv = await startServer(options);
  srv.server.maxConnections = 1;
  const drops: unknown[] = [];
  srv.server.on('drop', (data) => drops.push(data));
  const holder = await openRaw(srv.port);
  holder.send(GET_HTTP11);
  await holder.readResponse();
  return { srv, drops, holder };
}

describe('idle kept-alive connections hold server slots', () => {
  it('with every slot held by an idle keep-alive client, the next client is dropped: "socket hang up", a drop event', async () => {
    const { srv, drops } = await fullServer();
    const attempt = request(srv, { agent: keepAliveAgent() });

    await expect(attempt).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(drops).toHaveLength(1);
    expect(srv.requests).toHaveLength(1); // only the holder's request was ever served
  });

  it('closeIdleConnections() frees the slot, and the next client is served', async () => {
    const { srv, drops } = await fullServer();
    srv.server.closeIdleConnections();
    await within(1_000, 'the idle connection closing', srv.closed(1));
    const next = await request(srv, { agent: keepAliveAgent() });

    expect(next.status).toBe(200);
    expect(drops).toHaveLength(0);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("the server's idle timeout frees the slot too", async () => {
    const { srv, drops } = await fullServer(shortIdle(100));
    const idle = await srv.idleBeforeClose(1, idleCloseMs(srv.server) + 2_000);
    const next = await request(srv, { agent: keepAliveAgent() });

    expect(idle).toBeGreaterThanOrEqual(idleCloseMs(srv.server) - TIMER_EARLY_MS);
    expect(next.status).toBe(200);
    expect(drops).toHaveLength(0);
  });
});
