/**
 * Rule keep-alive-msecs: `keepAliveMsecs` (an option in the seed's agent) is
 * the initial delay of TCP keep-alive probes — `socket.setKeepAlive(true,
 * keepAliveMsecs)`, called each time a socket enters the pool. It is not an
 * HTTP idle timeout: a pooled socket stays open and reusable long past it,
 * and no HTTP bytes cross the connection meanwhile (TCP probes carry none).
 * An agent without `keepAlive: true` never calls it.
 *
 * Source: the seed's agent options; Node docs, `new Agent({ keepAliveMsecs })`
 * ("initial delay for TCP Keep-Alive packets", default 1000) and
 * `socket.setKeepAlive()`; RFC 9293 §3.8.4 (TCP keep-alives).
 * Versions: the same on every Node major.
 */
import * as net from 'node:net';
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, tracked } from '../helpers/agents';
import { defer } from '../helpers/cleanup';
import { emitsWithin } from '../helpers/wait';

/** Record every setKeepAlive(enable, delay) call on any socket, until the test ends. */
function spyOnSetKeepAlive() {
  const spy = jest.spyOn(net.Socket.prototype, 'setKeepAlive');
  defer(() => spy.mockRestore());
  return spy;
}

describe('keepAliveMsecs sets TCP keep-alive probes, not an HTTP idle timeout', () => {
  it('each time a socket enters the pool, the agent calls setKeepAlive(true, keepAliveMsecs) on it', async () => {
    const srv = await startServer();
    const spy = spyOnSetKeepAlive();
    const agent = keepAliveAgent({ keepAliveMsecs: 700 });
    await request(srv, { agent });
    await new Promise((resolve) => process.nextTick(resolve)); // the 'free' tick
    await request(srv, { agent });
    await new Promise((resolve) => process.nextTick(resolve));

    expect(spy.mock.calls).toEqual([
      [true, 700],
      [true, 700],
    ]);
  });

  it('a pooled socket stays open and silent long past keepAliveMsecs, and is reused', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent({ keepAliveMsecs: 50 });
    const first = await request(srv, { agent });
    const bytesBefore = srv.connections[0]!.bytesRead;

    expect(await emitsWithin(first.socket, 'close', 300)).toBe(false);
    expect(srv.connections[0]!.bytesRead).toBe(bytesBefore);
    expect(pooledSockets(agent).free).toBe(1);
    const next = await request(srv, { agent });
    expect(next.reused).toBe(true);
  });

  it('an agent without keepAlive: true never calls setKeepAlive, whatever keepAliveMsecs says', async () => {
    const srv = await startServer();
    const spy = spyOnSetKeepAlive();
    const agent = tracked(new http.Agent({ keepAliveMsecs: 700 }));
    await request(srv, { agent });
    await new Promise((resolve) => process.nextTick(resolve));

    expect(spy).not.toHaveBeenCalled();
  });
});
