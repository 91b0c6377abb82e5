/**
 * Rule keep-alive-msecs: `keepAliveMsecs` (an option in the seed's agent) is
 * the initial delay of TCP keep-alive probes — `socket.setKeepAlive(true,
 * keepAliveMsecs)`, called each time a socket enters the pool. It is not an
 * HTTP idle timeout: a pooled socket stays open and reusable long past it,
 * where the agent's `timeout` of the same length closes one.
 * An agent without `keepAlive: true` never calls it.
 *
 * Source: the seed's agent options; Node docs, `new Agent({ keepAliveMsecs })`
 * ("initial delay for TCP Keep-Alive packets", default 1000) and
 * `socket.setKeepAlive()`; RFC 9293 §3.8.4 (TCP keep-alives).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import * as net from 'node:net';
import * as http from 'node:http';
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets, tracked } from '../helpers/agents';
import { defer } from '../helpers/cleanup';
import { emitsWithin, nextTick, within } from '../helpers/wait';

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
    await nextTick(); // the 'free' tick
    await request(srv, { agent });
    await nextTick();

    expect(spy.mock.calls).toEqual([
      [true, 700],
      [true, 700],
    ]);
  });

  it('a pooled socket stays open long past keepAliveMsecs and is reused, where an agent timeout of the same length closes it', async () => {
    const srv = await startServer();
    const probes = keepAliveAgent({ keepAliveMsecs: 50 });
    const idle = keepAliveAgent({ timeout: 50 }); // the counter-case: an HTTP idle timeout
    const [first, other] = await Promise.all([request(srv, { agent: probes }), request(srv, { agent: idle })]);
    const connectionOf = (localPort: number) => srv.requests.find((q) => q.peerPort === localPort)!.connection;

    // The agent timeout closes its socket; the server sees that connection go.
    await within(1_000, 'server seeing the timed-out connection close', srv.closed(connectionOf(other.localPort)));
    // Meanwhile, six times keepAliveMsecs later, the other socket has not closed ...
    expect(await emitsWithin(first.socket, 'close', 300)).toBe(false);
    expect(pooledSockets(probes).free).toBe(1);
    // ... and the next request arrives on that very connection.
    const next = await request(srv, { agent: probes });
    expect(next.reused).toBe(true);
    expect(srv.requests[2]!.connection).toBe(connectionOf(first.localPort));
  });

  it('an agent without keepAlive: true never calls setKeepAlive, whatever keepAliveMsecs says', async () => {
    const srv = await startServer();
    const spy = spyOnSetKeepAlive();
    const agent = tracked(new http.Agent({ keepAliveMsecs: 700 }));
    await request(srv, { agent });
    await nextTick();

    expect(spy).not.toHaveBeenCalled();
  });
});
