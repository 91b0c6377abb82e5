/**
 * Rule agent-timeout: the agent's `timeout` option is also the idle timeout
 * of its pooled sockets: a socket idle in the pool that long is closed by the
 * client (the server sees it close) and the next request connects anew.
 * Without it, a pooled socket stays until the server closes it. (Since Node
 * 19, `http.globalAgent` has `timeout: 5000`.)
 *
 * Source: Node docs, `new Agent({ timeout })`; lib/_http_agent.js
 * (keepSocketAlive sets it on pooled sockets).
 * Versions: the same on every release from 18.14.0 to 26.10.0.
 */
import { startServer } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { emitsWithin, within, TIMER_EARLY_MS } from '../helpers/wait';

describe("the agent's timeout evicts idle pooled sockets", () => {
  it('with timeout: 150 the client closes the pooled socket after 150 ms idle; the next request connects anew', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent({ timeout: 150 });
    const first = await request(srv, { agent });
    const closedAt = await within(1_000, 'pooled socket closing', first.closed);
    await within(1_000, 'server seeing the close', srv.closed(1));
    const next = await request(srv, { agent });

    expect(closedAt - first.endedAt!).toBeGreaterThanOrEqual(150 - TIMER_EARLY_MS);
    expect(next.reused).toBe(false);
    expect(srv.connections).toHaveLength(2);
  });

  it('without a timeout the pooled socket outlives that time and is reused', async () => {
    const srv = await startServer();
    const agent = keepAliveAgent();
    const first = await request(srv, { agent });

    expect(await emitsWithin(first.socket, 'close', 300)).toBe(false);
    expect(pooledSockets(agent).free).toBe(1);
    const next = await request(srv, { agent });
    expect(next.reused).toBe(true);
    expect(srv.connections).toHaveLength(1);
  });
});
