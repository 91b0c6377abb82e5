/**
 * Rule agent-max-free-sockets: `maxFreeSockets` caps how many idle sockets
 * an agent keeps per host. Sockets freed beyond the cap are closed by the
 * client at once; the server sees those connections close.
 *
 * Source: Node docs, `agent.maxFreeSockets` (default 256).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { within, nextTick } from '../helpers/wait';

/** Three requests at once, so the agent opens three connections; all answered. */
async function threeAtOnce(agentOptions: { maxFreeSockets?: number }) {
  const hold = holdResponses();
  const srv = await startServer({ handler: hold.handler });
  const agent = keepAliveAgent(agentOptions);
  const all = Promise.all([request(srv, { agent }), request(srv, { agent }), request(srv, { agent })]);
  await within(2_000, 'three requests arriving', hold.arrived(3));
  hold.releaseAll();
  const results = await within(2_000, 'three responses', all);
  await nextTick(); // the 'free' tick
  return { srv, agent, results };
}

describe('maxFreeSockets caps the idle sockets an agent keeps', () => {
  it('with maxFreeSockets: 1, one of three freed sockets is kept; the client closes the other two', async () => {
    const { srv, agent, results } = await threeAtOnce({ maxFreeSockets: 1 });
    const dropped = results.filter((r) => r.socket.destroyed);
    const kept = results.filter((r) => !r.socket.destroyed);
    const connectionOf = (localPort: number) => srv.requests.find((q) => q.peerPort === localPort)!.connection;

    expect(dropped).toHaveLength(2);
    // A destroyed socket leaves the agent's books on its 'close'.
    await within(1_000, 'client sockets closing', Promise.all(dropped.map((r) => r.closed)));
    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 1 });
    // The server sees exactly those two connections close ...
    await within(1_000, 'server seeing two closes', Promise.all(dropped.map((r) => srv.closed(connectionOf(r.localPort)))));
    // ... and the next request arrive on the kept one, not on a new connection.
    const next = await request(srv, { agent });
    expect(next.reused).toBe(true);
    expect(srv.requests[3]!.connection).toBe(connectionOf(kept[0]!.localPort));
    expect(srv.connections).toHaveLength(3);
  });

  it('with the default (256), all three freed sockets are kept open: three more requests at once arrive on the same three connections', async () => {
    const { srv, agent } = await threeAtOnce({});
    expect(pooledSockets(agent)).toEqual({ busy: 0, free: 3 });
    const again = await Promise.all([request(srv, { agent }), request(srv, { agent }), request(srv, { agent })]);

    expect(again.map((r) => r.reused)).toEqual([true, true, true]);
    expect(srv.connections).toHaveLength(3);
    expect(new Set(srv.requests.slice(3).map((r) => r.connection))).toEqual(new Set([1, 2, 3]));
  });
});
