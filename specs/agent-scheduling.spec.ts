/**
 * Rule agent-scheduling: when several idle sockets are pooled, `scheduling`
 * decides which one the next request gets: 'lifo' (the default on every
 * major here) takes the most recently freed socket, 'fifo' the one idle
 * longest. Per Node's docs, at a low request rate LIFO lowers the risk of
 * picking a socket the server closed for inactivity; at a high rate FIFO
 * keeps the most sockets open.
 *
 * Source: Node docs, `http.Agent` `scheduling` option; Node's
 * test-http-agent-scheduling.js (which also compares peer ports).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { holdResponses } from '../helpers/hold';
import { nextEvent, within } from '../helpers/wait';

/**
 * Three connections, freed in a known order (answer one, wait for the agent's
 * 'free', answer the next); then one more request. Returns which of the three
 * freed connections (1 = freed first) the server saw it on.
 */
async function whichFreedSocketIsReused(scheduling?: 'lifo' | 'fifo'): Promise<number> {
  const hold = holdResponses();
  const srv = await startServer({ handler: hold.handler });
  const agent = keepAliveAgent({ scheduling });
  const all = Promise.all([request(srv, { agent }), request(srv, { agent }), request(srv, { agent })]);
  await within(2_000, 'three requests arriving', hold.arrived(3));
  const freedOrder: number[] = [];
  for (let i = 0; i < 3; i++) {
    freedOrder.push(hold.held[0]!.req.socket.remotePort!);
    const freed = nextEvent(agent, 'free');
    hold.releaseOne();
    await freed;
  }
  await all;
  hold.releaseAll();
  const next = await request(srv, { agent });

  expect(next.reused).toBe(true);
  expect(srv.connections).toHaveLength(3);
  return freedOrder.indexOf(next.localPort) + 1;
}

describe('scheduling picks which idle socket the next request gets', () => {
  it("'lifo' gives the next request the most recently freed socket", async () => {
    expect(await whichFreedSocketIsReused('lifo')).toBe(3);
  });

  it("with no scheduling option the agent behaves as 'lifo'", async () => {
    expect(await whichFreedSocketIsReused()).toBe(3);
  });

  it("'fifo' gives the next request the socket that has been idle longest", async () => {
    expect(await whichFreedSocketIsReused('fifo')).toBe(1);
  });
});
