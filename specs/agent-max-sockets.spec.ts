/**
 * Rule agent-max-sockets: `maxSockets` caps the connections one agent opens
 * to one host:port. Like a browser's ~6 connections per host, 20 requests
 * sent at once through `maxSockets: 6` reach the server on exactly 6
 * connections; the other 14 wait in the agent's queue and go out on those
 * connections as they free up. Without the cap, every overlapped request
 * gets its own connection.
 *
 * Source: the seed's Q&A ("browsers open ~6 connections per host"); Node
 * docs, `agent.maxSockets` (default Infinity), `agent.requests`.
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, queuedRequests } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { emitsWithin, within } from '../helpers/wait';

describe('maxSockets caps connections per host, like a browser', () => {
  it('20 requests at once through maxSockets: 6 reach the server on 6 connections; 14 wait in the agent queue', async () => {
    const hold = holdResponses();
    const srv = await startServer({ handler: hold.handler });
    const agent = keepAliveAgent({ maxSockets: 6 });
    const all = Promise.all(Array.from({ length: 20 }, () => request(srv, { agent })));
    await within(2_000, 'six requests arriving', hold.arrived(6));

    expect(await emitsWithin(srv.server, 'request', 100)).toBe(false);
    expect(hold.arrivedCount()).toBe(6);
    expect(queuedRequests(agent)).toBe(14);

    hold.releaseAll();
    await within(2_000, 'all 20 responses', all);
    expect(srv.requests).toHaveLength(20);
    expect(srv.connections).toHaveLength(6);
    expect(srv.distinctPeerPorts()).toBe(6);
  });

  it('without maxSockets, 20 requests at once reach the server on 20 connections', async () => {
    const hold = holdResponses();
    const srv = await startServer({ handler: hold.handler });
    const agent = keepAliveAgent();
    const all = Promise.all(Array.from({ length: 20 }, () => request(srv, { agent })));
    await within(2_000, 'twenty requests arriving', hold.arrived(20));

    expect(queuedRequests(agent)).toBe(0);
    hold.releaseAll();
    await within(2_000, 'all 20 responses', all);
    expect(srv.connections).toHaveLength(20);
  });
});
