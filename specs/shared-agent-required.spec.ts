/**
 * Rule shared-agent-required: a kept-alive connection belongs to the Agent
 * that opened it. Requests share a connection only when they go through the
 * same `http.Agent({ keepAlive: true })`; through two agents they use two
 * connections, even when strictly serial.
 *
 * Source: the seed ("both requests must share one keep-alive agent"); Node
 * docs, `http.Agent` (an agent keeps a pool of sockets per host:port).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';

describe('a keep-alive connection belongs to one Agent', () => {
  it('three serial requests through one keep-alive agent reach the server on one connection', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const results = await serially(3, () => request(srv, { agent }));

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(srv.connections).toHaveLength(1);
    expect(results.map((r) => r.reused)).toEqual([false, true, true]);
    expect(srv.peerPorts()).toEqual(results.map((r) => r.localPort));
  });

  it('serial requests alternating between two keep-alive agents reach the server on two connections, one per agent', async () => {
    const srv = await startServer();
    const agents = [keepAliveAgent(), keepAliveAgent()];
    const results = await serially(4, (i) => request(srv, { agent: agents[i % 2] }));

    // Each agent reuses its own socket, and never the other agent's.
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2, 1, 2]);
    expect(srv.connections).toHaveLength(2);
    expect(results.map((r) => r.reused)).toEqual([false, false, true, true]);
  });
});
