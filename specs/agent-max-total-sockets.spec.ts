/**
 * Rule agent-max-total-sockets: `maxTotalSockets` caps an agent's
 * connections across all hosts together; `maxSockets` caps each host alone.
 * With `maxTotalSockets: 2`, two requests to each of two servers sent at
 * once reach the servers two at a time; the rest wait in the agent's queue.
 *
 * Source: Node docs, `agent.maxTotalSockets` (added v14.5.0, default Infinity).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, queuedRequests } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { emitsWithin, within } from '../helpers/wait';

/** Two servers sharing one holder, and two requests to each, sent at once through `agent`. */
async function twoEachToTwoServers(agent: http.Agent) {
  const hold = holdResponses();
  const servers = await Promise.all([startServer({ handler: hold.handler }), startServer({ handler: hold.handler })]);
  const all = Promise.all(servers.flatMap((srv) => [request(srv, { agent }), request(srv, { agent })]));
  return { servers, hold, all };
}

describe('maxTotalSockets caps connections across all hosts', () => {
  it('with maxTotalSockets: 2, only two of four requests to two servers are outstanding at once', async () => {
    const agent = keepAliveAgent({ maxTotalSockets: 2 });
    const { servers, hold, all } = await twoEachToTwoServers(agent);
    await within(2_000, 'two requests arriving', hold.arrived(2));
    const more = await Promise.all(servers.map((srv) => emitsWithin(srv.server, 'request', 100)));

    expect(more).toEqual([false, false]);
    expect(hold.arrivedCount()).toBe(2);
    expect(queuedRequests(agent)).toBe(2);
    hold.releaseAll();
    await within(2_000, 'all four responses', all);
    expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(4);
  });

  it('with maxSockets: 2 per host and no total cap, all four are outstanding at once', async () => {
    const agent = keepAliveAgent({ maxSockets: 2 });
    const { servers, hold, all } = await twoEachToTwoServers(agent);
    await within(2_000, 'four requests arriving', hold.arrived(4));

    expect(queuedRequests(agent)).toBe(0);
    hold.releaseAll();
    await within(2_000, 'all four responses', all);
    expect(servers[0]!.connections.length + servers[1]!.connections.length).toBe(4);
  });
});
