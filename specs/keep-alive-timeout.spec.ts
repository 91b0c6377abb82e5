/**
 * Rule keep-alive-timeout: a Node server advertises its idle timeout as
 * `Keep-Alive: timeout=N` (whole seconds, rounded down), closes an idle
 * connection some time after it, and a Node agent uses the hint to stop
 * using a pooled socket before the server would close it.
 *
 * Source: the seed's Q&A (`Keep-Alive: timeout=15, max=100`: idle seconds the
 * server allows); RFC 9112 Appendix C.2.2 and the Keep-Alive header
 * (draft-thomson-hybi-http-timeout-03); Node docs, `server.keepAliveTimeout`,
 * `server.keepAliveTimeoutBuffer`, `agentKeepAliveTimeoutBuffer`.
 * Versions (measured; the docs do not say all of this):
 *   server close  ≤ 19: at keepAliveTimeout, exactly as advertised.
 *                 20:   at keepAliveTimeout + 1000 ms, a fixed buffer.
 *                 ≥ 22: at keepAliveTimeout + keepAliveTimeoutBuffer (default 1000).
 *   agent hint    ≤ 18: ignored.
 *                 19:   honoured without a buffer (checked by hand; not in the matrix).
 *                 ≥ 20: idle timer = hint − 1000 ms; a hint of ≤ 1 s means "do not pool".
 *                 ≥ 22: the 1000 ms is `agentKeepAliveTimeoutBuffer`.
 */
import * as http from 'node:http';
import { once } from 'node:events';
import { startServer, type ServerFixture } from '../helpers/server';
import { request } from '../helpers/client';
import { keepAliveAgent, pooledSockets } from '../helpers/agents';
import { idleCloseAfter, openRaw } from '../helpers/raw';
import { idleCloseMs, shortIdle } from '../helpers/node-server';
import { itOn } from '../helpers/versions';
import { within } from '../helpers/wait';
import { GET_HTTP11 } from '../fixtures/messages';

/** Timers never fire early by more than a millisecond or two; load only makes them late. */
const EARLY = 15;
const LATE = 800;

describe('what a Node server advertises in Keep-Alive', () => {
  it.each([
    [5_000, 'timeout=5'],
    [65_000, 'timeout=65'],
    [1_500, 'timeout=1'],
    [999, 'timeout=0'],
  ])('keepAliveTimeout %i ms is sent as "Keep-Alive: %s" (whole seconds, rounded down)', async (keepAliveTimeout, header) => {
    const srv = await startServer({ keepAliveTimeout });
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();

    expect(response.head).toContain('\r\nConnection: keep-alive\r\n');
    expect(response.head).toContain(`\r\nKeep-Alive: ${header}\r\n`);
  });

  it('keepAliveTimeout 0 sends no Keep-Alive header, yet still keeps the connection open', async () => {
    const srv = await startServer({ keepAliveTimeout: 0 });
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    const response = await raw.readResponse();
    raw.send(GET_HTTP11);
    await raw.readResponse();

    expect(response.headers['keep-alive']).toBeUndefined();
    expect(response.headers.connection).toEqual(['keep-alive']);
    expect(srv.connections).toHaveLength(1);
  });
});

describe('when a Node server closes an idle kept-alive connection', () => {
  itOn({ until: 18 }, 'exactly keepAliveTimeout after the response, as advertised', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const { closedAfterMs } = await idleCloseAfter(srv.port, GET_HTTP11);

    expect(closedAfterMs).toBeGreaterThanOrEqual(200 - EARLY);
    expect(closedAfterMs).toBeLessThan(200 + LATE);
  });

  itOn({ since: 20, until: 20 }, 'keepAliveTimeout + 1000 ms after the response: a fixed buffer over what it advertises', async () => {
    const srv = await startServer({ keepAliveTimeout: 200 });
    const { closedAfterMs } = await idleCloseAfter(srv.port, GET_HTTP11);

    expect(srv.server.keepAliveTimeoutBuffer).toBeUndefined(); // not configurable on 20
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_200 - EARLY);
    expect(closedAfterMs).toBeLessThan(1_200 + LATE);
  });

  itOn({ since: 22 }, 'keepAliveTimeout + keepAliveTimeoutBuffer after the response (buffer default 1000 ms)', async () => {
    expect(http.createServer().keepAliveTimeoutBuffer).toBe(1_000);
    // Two servers at once, advertising the same timeout=0, differing only in the buffer.
    const [plain, buffered] = await Promise.all([
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 0 }),
      startServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 300 }),
    ]);
    const [a, b] = await Promise.all([idleCloseAfter(plain.port, GET_HTTP11), idleCloseAfter(buffered.port, GET_HTTP11)]);

    expect(a.closedAfterMs).toBeGreaterThanOrEqual(100 - EARLY);
    expect(a.closedAfterMs).toBeLessThan(100 + 250);
    expect(b.closedAfterMs).toBeGreaterThanOrEqual(400 - EARLY);
    expect(b.closedAfterMs).toBeLessThan(400 + LATE);
  });

  it('a request inside the idle window is served on the same connection and restarts the idle timer', async () => {
    const srv = await startServer(shortIdle(200));
    const idle = idleCloseMs(srv.server); // 200 ms, or 1200 ms on Node 20
    const raw = await openRaw(srv.port);
    raw.send(GET_HTTP11);
    await raw.readResponse();
    await new Promise((resolve) => setTimeout(resolve, idle / 2));
    raw.send(GET_HTTP11);
    await raw.readResponse();
    const start = performance.now();
    const closedAt = await within(idle + 2_000, 'idle close', raw.closed);

    expect(srv.distinctPeerPorts()).toBe(1);
    expect(closedAt - start).toBeGreaterThanOrEqual(idle - EARLY);
  });
});

/** A server whose handler sends its own Keep-Alive hint, as in Node's test-http-keep-alive-timeout-custom. */
function serverHinting(hint: string): Promise<ServerFixture> {
  return startServer({
    handler: (req, res) => {
      req.resume();
      res.setHeader('Keep-Alive', hint);
      res.end(String(req.socket.remotePort));
    },
  });
}

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
    await within(1_000, 'client closing the connection', once(srv.connections[0]!, 'close'));
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
    const start = performance.now();
    const clientClosed = once(a.socket, 'close');
    const bound = 2_000 - buffer + LATE;
    // The server sees the client close it, and the agent drops it from its pool.
    await within(bound, 'server seeing the hinted connection close', once(hinted.connections[0]!, 'close'));
    const closedAfterMs = performance.now() - start;
    await within(bound, 'client socket close', clientClosed);

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
