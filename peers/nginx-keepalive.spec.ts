/**
 * Rule nginx-keepalive: nginx keeps client connections alive by default, but
 * says only `Connection: keep-alive` — no Keep-Alive header unless
 * `keepalive_timeout` has its second parameter. `keepalive_requests N` ends a
 * connection after N requests with `Connection: close`; `keepalive_timeout`
 * closes an idle one (0 turns keep-alive off: `Connection: close` every
 * time). A Node agent follows each: it reuses the connection, drops it after
 * `Connection: close`, and drops a pooled socket nginx closed, opening a new
 * connection for the next request.
 *
 * Source: nginx docs, ngx_http_core_module: keepalive_timeout (default 75s),
 * keepalive_requests (default 1000); RFC 9112 §9.5, §9.6.
 * Peer: nginx. Evidence: nginx's own access log, with the client port
 * ($remote_port) and the request's number on its connection
 * ($connection_requests).
 */
import { startNginx } from '../helpers/peers';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { openRaw } from '../helpers/raw';
import { within, TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';

describe("nginx's client keep-alive, and a Node agent's reaction", () => {
  it('by default nginx says Connection: keep-alive with no Keep-Alive header, and the agent reuses the connection', async () => {
    const nginx = await startNginx();
    const agent = keepAliveAgent();
    const results = await serially(3, () => request(nginx, { agent }));
    const log = await nginx.logged(3);

    expect(results[0]!.headers.connection).toBe('keep-alive');
    expect(results[0]!.headers['keep-alive']).toBeUndefined();
    expect(log.map((l) => l.onConnection)).toEqual([1, 2, 3]);
    expect(new Set(log.map((l) => l.peerPort)).size).toBe(1);
  });

  it('"keepalive_timeout 5s 5s" adds Keep-Alive: timeout=5', async () => {
    const nginx = await startNginx({ http: 'keepalive_timeout 5s 5s;' });
    const result = await request(nginx, { agent: keepAliveAgent() });

    expect(result.headers['keep-alive']).toBe('timeout=5');
    expect(result.headers.connection).toBe('keep-alive');
  });

  it('"keepalive_requests 2": the second response says Connection: close, and the agent opens a new connection for the third', async () => {
    const nginx = await startNginx({ http: 'keepalive_requests 2;' });
    const agent = keepAliveAgent();
    const results = await serially(3, () => request(nginx, { agent }));
    const log = await nginx.logged(3);

    expect(results.map((r) => r.headers.connection)).toEqual(['keep-alive', 'close', 'keep-alive']);
    expect(log.map((l) => l.onConnection)).toEqual([1, 2, 1]);
    expect(log[1]!.peerPort).toBe(log[0]!.peerPort);
    expect(log[2]!.peerPort).not.toBe(log[0]!.peerPort);
    expect(results[2]!.reused).toBe(false);
  });

  it('"keepalive_timeout 300ms" closes an idle connection after 300 ms; the agent drops the pooled socket and connects anew', async () => {
    const nginx = await startNginx({ http: 'keepalive_timeout 300ms;' });
    const agent = keepAliveAgent();
    const first = await request(nginx, { agent });
    const closedAt = await within(300 + TIMER_LATE_MS, 'nginx closing the idle connection', first.closed);
    const second = await request(nginx, { agent });
    const log = await nginx.logged(2);

    expect(closedAt - first.endedAt!).toBeGreaterThanOrEqual(300 - TIMER_EARLY_MS);
    expect(second.reused).toBe(false);
    expect(log.map((l) => l.onConnection)).toEqual([1, 1]);
    expect(log[1]!.peerPort).not.toBe(log[0]!.peerPort);
  });

  it('"keepalive_timeout 0" turns keep-alive off: Connection: close, and nginx closes after each response', async () => {
    const nginx = await startNginx({ http: 'keepalive_timeout 0;' });
    const raw = await openRaw(nginx.port);
    raw.send('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const response = await raw.readResponse();
    await within(1_000, 'nginx closing the connection', raw.closed);

    expect(response.headers.connection).toEqual(['close']);
    expect(response.headers['keep-alive']).toBeUndefined();
  });
});
