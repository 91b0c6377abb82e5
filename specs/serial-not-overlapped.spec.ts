/**
 * Rule serial-not-overlapped: HTTP/1.1 carries one request at a time on a
 * connection, and Node's agent never pipelines. A request sent while the
 * agent's socket is busy gets another connection; with `maxSockets: 1` it
 * waits in the agent's queue instead and then reuses the freed socket.
 *
 * Source: the seed ("requests must be serial, not overlapped"); RFC 9112 §9.3
 * (persistence) and §9.3.2 (pipelining); Node docs, `agent.requests`,
 * `maxSockets`.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import type { ServerResponse } from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, queuedRequests } from '../helpers/agents';
import { nextEvent } from '../helpers/wait';

describe('a connection carries one request at a time', () => {
  it('serial requests through one keep-alive agent reuse one connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    await request(srv, { agent });
    await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.connections).toHaveLength(1);
  });

  it('overlapped requests through the same agent open a second connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const results = await Promise.all([request(srv, { agent }), request(srv, { agent })]);

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(srv.connections).toHaveLength(2);
    expect(results.map((r) => r.reused)).toEqual([false, false]);
    // Both sockets are kept afterwards.
    expect(pooledSockets(agent).free).toBe(2);
  });

  it('with maxSockets: 1 the overlapped request waits in the agent queue, then reuses the freed connection', async () => {
    const held: ServerResponse[] = [];
    const srv = await startServer({ handler: (req, res) => (req.resume(), held.push(res)) });
    const agent = keepAliveAgent({ maxSockets: 1 });

    const arrived = nextEvent(srv.server, 'request');
    const first = request(srv, { agent });
    const second = request(srv, { agent });
    await arrived;

    // While the first response is outstanding, the second request is queued
    // in the client: the server has seen one connection and one request.
    expect(queuedRequests(agent)).toBe(1);
    expect(srv.requests).toHaveLength(1);

    const arrivedAgain = nextEvent(srv.server, 'request');
    held[0]!.end('first');
    await arrivedAgain;
    held[1]!.end('second');
    const results = await Promise.all([first, second]);

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.connections).toHaveLength(1);
    // The queued request did reuse the socket, yet req.reusedSocket is false:
    // the agent sets it only when it takes a socket from its free pool, not
    // when it hands a just-freed socket straight to a queued request. Only the
    // server's peer port shows this reuse.
    expect(results[1]!.localPort).toBe(results[0]!.localPort);
    expect(results.map((r) => r.reused)).toEqual([false, false]);
  });
});
