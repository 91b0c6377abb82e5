/**
 * Rule caddy-upstream-keepalive: Caddy's reverse_proxy keeps upstream
 * connections alive by default (Go's http.Transport: HTTP/1.1, idle
 * connections kept 2 min) and shares them across client connections: clients
 * that close after each request still reach Node on one connection;
 * `keepalive off` gives a new connection per request. A request lost on a
 * reused upstream connection (the server closed it as the request arrived) is
 * resent on a new connection by Go's transport when it is replayable (a GET
 * without a body) — Caddy's log shows one successful round trip — but a POST
 * gets 502 Bad Gateway, logged as an upstream round-trip error;
 * `lb_retries` does not change that. Told to retry POSTs too (`lb_retry_match
 * { method POST }`), Caddy 2.6.2 resends the request head on new connections
 * but not its body, already consumed ("http: invalid Read on closed Body"):
 * Node sees the POST three times, the client still gets 502.
 *
 * Source: Caddy docs, reverse_proxy `transport http` (`keepalive`, default
 * 2m) and load balancing (`lb_retries` retries a request whose upstream
 * connection failed to be made, not one lost after it was sent, unless
 * `lb_retry_match` matches it; caddy #4245, #6267); Go net/http Transport (a request on a reused
 * connection that fails before any response is retried if replayable);
 * caddyserver/caddy #6452 (a Node server's 5 s keepAliveTimeout behind Caddy's
 * 2 min: random 502s). Measured on Caddy 2.6.2 (Debian 12).
 * Peer: Caddy as a reverse proxy. Evidence: the upstream connections the Node
 * server saw, Caddy's access log and its reverse_proxy debug log, what the
 * client got.
 */
import { startCaddy } from '../helpers/peers';
import { startServer, dropFirstReused } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { outcome, postsAfterNodeIdleClose, upstreamQuiet } from '../helpers/proxies';
import { within } from '../helpers/wait';

describe('Caddy in front of a Node server: upstream keep-alive', () => {
  it('by default clients that close after each request still reach Node on one HTTP/1.1 upstream connection', async () => {
    const node = await startServer();
    const caddy = await startCaddy({ upstreamPort: node.port });
    await serially(3, (i) => request(caddy, { agent: false, path: `/${i}` }));
    const log = await caddy.logged(3);

    expect(new Set(log.map((l) => l.peerPort)).size).toBe(3);
    expect(node.requests.map((r) => [r.httpVersion, r.connectionHeader, r.connection])).toEqual([
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
    ]);
  });

  it('with "keepalive off" each request reaches Node on a new connection', async () => {
    const node = await startServer();
    const caddy = await startCaddy({ upstreamPort: node.port, proxy: 'transport http {\n  keepalive off\n}' });
    const agent = keepAliveAgent();
    await serially(3, (i) => request(caddy, { agent, path: `/${i}` }));
    await caddy.logged(3);

    expect(node.connections).toHaveLength(3);
  });

  it("when Node's idle timeout closes a pooled upstream connection first, Caddy opens a new one: even a POST gets 200", async () => {
    const { statuses, seen } = await postsAfterNodeIdleClose((upstreamPort) => startCaddy({ upstreamPort }));

    expect(statuses).toEqual([200, 200]);
    expect(seen).toEqual(['/a #1', '/b #2']);
  });

  it("a GET lost on a reused upstream connection is resent on a new one by Go's transport: the client gets 200, Caddy logs one round trip", async () => {
    const node = await startServer({ handler: dropFirstReused('/b') });
    const caddy = await startCaddy({ upstreamPort: node.port });
    const agent = keepAliveAgent();
    const got = [await outcome(request(caddy, { agent, path: '/a' })), await outcome(request(caddy, { agent, path: '/b' }))];
    await caddy.logged(2);

    expect(got).toEqual(['200', '200']);
    expect(node.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/a #1', '/b #1', '/b #2']);
    expect(caddy.errors().split('\n')).toEqual(['upstream roundtrip GET /a: 200', 'upstream roundtrip GET /b: 200']);
  });

  it('with lb_retries 2 and lb_retry_match on POST, Caddy resends the lost POST, but without its body ("invalid Read on closed Body"): Node sees it again, the client still gets 502', async () => {
    const node = await startServer({ handler: dropFirstReused('/b') });
    const caddy = await startCaddy({ upstreamPort: node.port, proxy: 'lb_retries 2\nlb_retry_match {\n  method POST\n}' });
    const agent = keepAliveAgent();
    const got = [await outcome(request(caddy, { agent, method: 'POST', path: '/a', body: 'x' })), await outcome(request(caddy, { agent, method: 'POST', path: '/b', body: 'x' }))];
    await caddy.logged(2);
    // Caddy answers 502 as soon as its last resend fails, before Node has parsed that resend's head.
    await within(2_000, 'Node seeing both resends', new Promise<void>((resolve) => {
      const check = () => node.requests.length >= 4 && resolve();
      node.server.on('request', check);
      check();
    }));

    expect(got).toEqual(['200', '502']);
    expect(node.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/a #1', '/b #1', '/b #2', '/b #3']);
    expect(caddy.errors().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^upstream roundtrip POST \/b: error /),
      expect.stringMatching(/invalid Read on closed Body$/),
      expect.stringMatching(/invalid Read on closed Body$/),
    ]);
  });

  for (const retries of ['', 'lb_retries 2']) {
    it(`a POST lost the same way is not resent${retries ? ` (not even with "${retries}")` : ''}: 502 Bad Gateway, logged as an upstream error`, async () => {
      const node = await startServer({ handler: dropFirstReused('/b') });
      const caddy = await startCaddy({ upstreamPort: node.port, proxy: retries });
      const agent = keepAliveAgent();
      const got = [await outcome(request(caddy, { agent, method: 'POST', path: '/a', body: 'x' })), await outcome(request(caddy, { agent, method: 'POST', path: '/b', body: 'x' }))];
      const log = await caddy.logged(2);
      // A resend would reach Node after the client's 502 (as with lb_retry_match above): read the list once Node has gone quiet.
      await upstreamQuiet(node.server);

      expect(got).toEqual(['200', '502']);
      expect(log.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual(['POST /a 200', 'POST /b 502']);
      expect(node.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/a #1', '/b #1']);
      expect(caddy.errors().split('\n')[1]).toMatch(/^upstream roundtrip POST \/b: error /);
    });
  }
});
