/**
 * Rule pooled-socket-closed-by-server: when the server closes a connection
 * that sits idle in the agent's pool, the agent removes the socket from its
 * pool, and the next request connects anew — to whatever now listens on
 * that port.
 *
 * Source: the seed's Q&A ("the server may close whenever it likes after a
 * response"); RFC 9112 §9.5; Node docs, `http.Agent` ("servers may still
 * close idle connections, in which case they will be removed from the pool
 * and a new connection will be made when a new HTTP request is made").
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import getPort from 'get-port';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { within } from '../helpers/wait';

describe('a pooled socket the server closed leaves the pool', () => {
  it('after the server closes the idle connection, the agent drops it and the next request opens a new one', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const first = await request(srv, { agent });
    srv.server.closeIdleConnections();
    await within(1_000, 'client socket closing', first.closed);

    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 0 });
    const second = await request(srv, { agent });
    expect(second.reused).toBe(false);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it('while the server keeps it open, the same agent reuses the pooled connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    await request(srv, { agent });

    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 1 });
    const second = await request(srv, { agent });
    expect(second.reused).toBe(true);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  });

  it('a server restarted on the same port gets a new connection from the same agent', async () => {
    // get-port: the port must be known before either server listens on it.
    const port = await getPort({ host: '127.0.0.1' });
    const before = await startServer({ port });
    const agent = keepAliveAgent();
    const first = await request({ port }, { agent });
    await before.close();
    await within(1_000, 'client socket closing', first.closed);

    const after = await startServer({ port });
    const second = await request({ port }, { agent });
    expect(second.reused).toBe(false);
    expect(after.requests).toHaveLength(1);
    expect(after.peerPorts()).toEqual([second.localPort]);
  });
});
