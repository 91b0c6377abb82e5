/**
 * Rule keep-alive-timeout-agent-hint: a Node agent reads the server's
 * `Keep-Alive: timeout=N` hint and stops using a pooled socket a safety buffer
 * before the server would close it. A hint no longer than the buffer means
 * "do not pool at all". The hint only ever shortens the agent's own `timeout`.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15`); Node docs, `http.Agent`
 * (`agentKeepAliveTimeoutBuffer`); Node's test-http-keep-alive-timeout-custom.js
 * and lib/_http_agent.js (keepSocketAlive).
 * Versions (measured):
 *   ≤ 18  the hint is ignored;
 *   19    honoured with no buffer (checked by hand; not in the matrix);
 *   ≥ 20  idle timer = hint − 1000 ms; a hint of ≤ 1 s means "do not pool";
 *   ≥ 22  the 1000 ms is the agent option `agentKeepAliveTimeoutBuffer`.
 * Only `timeout=` at the very start of the header is read (/^timeout=(\d+)/).
 */
import * as http from 'node:http';
import { startServer, respondWithHeader, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { itOn } from '../helpers/versions';
import { within, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';

const EARLY = TIMER_EARLY_MS;
const LATE = TIMER_LATE_MS;

/** A server whose handler sends its own Keep-Alive hint, as in Node's test-http-keep-alive-timeout-custom. */
const serverHinting = (hint: string): Promise<ServerFixture> => startServer({ handler: respondWithHeader('Keep-Alive', hint) });

describe("what a Node agent does with the server's Keep-Alive: timeout hint", () => {
  itOn({ until: 18 }, 'the agent ignores the hint: after "timeout=1" the socket is pooled and reused', async () => {
    const srv = await serverHinting('timeout=1');
    const agent = keepAliveAgent();
    await request(srv, { agent });
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(second.reused).toBe(true);
  });

  itOn({ since: 20 }, 'a hint of "timeout=1" leaves no time after the 1 s safety buffer: the agent closes the socket instead of pooling it', async () => {
    const srv = await serverHinting('timeout=1');
    const agent = keepAliveAgent();
    await request(srv, { agent });
    await within(1_000, 'client closing the connection', srv.closed(1));
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(2);
    expect(second.reused).toBe(false);
  });

  it('a hint of "timeout=2" is long enough: the socket is pooled and reused', async () => {
    const srv = await serverHinting('timeout=2');
    const agent = keepAliveAgent();
    await request(srv, { agent });
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(second.reused).toBe(true);
  });

  itOn({ since: 20 }, "the hint shortens the agent's own timeout to hint − buffer; a longer hint leaves it alone", async () => {
    const [short, long] = await Promise.all([serverHinting('timeout=3'), serverHinting('timeout=30')]);
    const agent = keepAliveAgent({ timeout: 10_000 });
    const a = await request(short, { agent });
    const b = await request(long, { agent });
    await new Promise((resolve) => process.nextTick(resolve));

    expect(pooledSockets(agent).free).toBe(2);
    expect(a.socket.timeout).toBe(2_000);
    expect(b.socket.timeout).toBe(10_000);
  });

  itOn({ until: 18 }, "the hint does not change the agent's own timeout", async () => {
    const srv = await serverHinting('timeout=3');
    const agent = keepAliveAgent({ timeout: 10_000 });
    const result = await request(srv, { agent });
    await new Promise((resolve) => process.nextTick(resolve));

    expect(pooledSockets(agent).free).toBe(1);
    expect(result.socket.timeout).toBe(10_000);
  });

  itOn({ since: 20 }, 'the agent closes the pooled socket when the shortened timer fires, before the server would', async () => {
    // Node 20's buffer is fixed at 1000 ms; from 22 the agent's buffer is an option.
    const [hinted, unhinted] = await Promise.all([serverHinting('timeout=2'), startServer({ keepAliveTimeout: 0 })]);
    const buffer = 'agentKeepAliveTimeoutBuffer' in new http.Agent() ? 1_800 : 1_000;
    const agent = keepAliveAgent({ timeout: 10_000, agentKeepAliveTimeoutBuffer: buffer });
    const [a, b] = await Promise.all([request(hinted, { agent }), request(unhinted, { agent })]);
    const bound = 2_000 - buffer + LATE;
    // The agent's timer runs on the client: from the end of the response to the socket's close.
    const closedAt = await within(bound, 'client closing the hinted socket', a.closed);
    const closedAfterMs = closedAt - a.endedAt!;
    // The server sees that close, and the agent has dropped the socket from its pool.
    await within(bound, 'server seeing the hinted connection close', hinted.closed(1));

    expect(closedAfterMs).toBeGreaterThanOrEqual(2_000 - buffer - EARLY);
    // The socket to the server that sent no hint is still pooled and open.
    expect(unhinted.connections[0]!.destroyed).toBe(false);
    expect(b.socket.destroyed).toBe(false);
    expect(pooledSockets(agent).free).toBe(1);
  });

  itOn({ since: 22 }, 'agentKeepAliveTimeoutBuffer: 500 makes "timeout=1" long enough to pool, with a 500 ms timer', async () => {
    const srv = await serverHinting('timeout=1');
    const agent = keepAliveAgent({ timeout: 10_000, agentKeepAliveTimeoutBuffer: 500 });
    const first = await request(srv, { agent });
    await new Promise((resolve) => process.nextTick(resolve));
    expect(first.socket.timeout).toBe(500);
    const second = await request(srv, { agent });

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(second.reused).toBe(true);
  });
});
