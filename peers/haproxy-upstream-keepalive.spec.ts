/**
 * Rule haproxy-upstream-keepalive: HAProxy (HTTP mode) keeps upstream
 * connections alive by default, but with `http-reuse safe` (the default) a
 * client connection's first request always goes on a new upstream connection:
 * a kept-alive client's requests share one, a client that closes after each
 * request costs Node a connection per request (`http-reuse always` shares
 * them). When a request is lost on a reused upstream connection (the server
 * closed it as the request arrived), HAProxy does not retry it: if it was not
 * the first request on its client connection, it closes the client connection
 * with no response and logs nothing (`abort_keep_alive` in src/http_ana.c:
 * "the client is required to retry"); a first request gets 502 (termination
 * state SH--). `retry-on all-retryable-errors` makes HAProxy resend it on a new
 * connection — a POST too.
 *
 * Source: HAProxy 2.6 configuration manual, `http-reuse`, `retry-on`,
 * `pool-purge-delay`; src/http_ana.c, http_wait_for_response() (TX_NOT_FIRST →
 * abort_keep_alive). Measured on HAProxy 2.6.12 (Debian 12).
 * Peer: HAProxy as a reverse proxy. Evidence: the upstream connections the
 * Node server saw, HAProxy's own log (the upstream port %bp, retries %rc,
 * termination state %tsc), what the client got.
 */
import { startHaproxy } from '../helpers/peers';
import { startServer, dropFirstReused } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { outcome, postsAfterNodeIdleClose } from '../helpers/proxies';

describe('HAProxy in front of a Node server: upstream keep-alive', () => {
  it("by default a kept-alive client's requests reach Node on one HTTP/1.1 upstream connection, the one HAProxy's log names", async () => {
    const node = await startServer();
    const haproxy = await startHaproxy({ upstreamPort: node.port });
    const agent = keepAliveAgent();
    await serially(3, (i) => request(haproxy, { agent, path: `/${i}` }));
    const log = await haproxy.logged(3);

    expect(node.requests.map((r) => [r.httpVersion, r.connectionHeader, r.connection])).toEqual([
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
    ]);
    expect(log.map((l) => l.upstreamPort)).toEqual(node.peerPorts());
  });

  it('a client that closes after each request gets a new upstream connection each time (http-reuse safe: a first request never takes an idle one)', async () => {
    const node = await startServer();
    const haproxy = await startHaproxy({ upstreamPort: node.port });
    await serially(3, (i) => request(haproxy, { agent: false, path: `/${i}` }));
    const log = await haproxy.logged(3);

    expect(node.connections).toHaveLength(3);
    expect(new Set(log.map((l) => l.upstreamPort)).size).toBe(3);
  });

  it('with http-reuse always, those requests share one upstream connection', async () => {
    const node = await startServer();
    const haproxy = await startHaproxy({ upstreamPort: node.port, backend: 'http-reuse always' });
    await serially(3, (i) => request(haproxy, { agent: false, path: `/${i}` }));
    const log = await haproxy.logged(3);

    expect(node.connections).toHaveLength(1);
    expect(new Set(log.map((l) => l.upstreamPort)).size).toBe(1);
  });

  it("when Node's idle timeout closes a pooled upstream connection first, HAProxy opens a new one: even a POST gets 200", async () => {
    const { statuses, seen } = await postsAfterNodeIdleClose((upstreamPort) => startHaproxy({ upstreamPort }));

    expect(statuses).toEqual([200, 200]);
    expect(seen).toEqual(['/a #1', '/b #2']);
  });

  for (const method of ['GET', 'POST']) {
    it(`a ${method} lost on a reused upstream connection, the second on its client connection: no retry, no response — the client's connection is closed and HAProxy logs nothing`, async () => {
      const node = await startServer({ handler: dropFirstReused('/b') });
      const haproxy = await startHaproxy({ upstreamPort: node.port });
      const agent = keepAliveAgent();
      const first = await request(haproxy, { agent, method, path: '/a', body: method === 'POST' ? 'x' : undefined });
      const second = request(haproxy, { agent, method, path: '/b', body: method === 'POST' ? 'x' : undefined });
      const error = (await second.then(() => undefined, (e: Error & { code?: string }) => e)) as (Error & { code?: string }) | undefined;

      expect(first.status).toBe(200);
      expect([error?.code, error?.message]).toEqual(['ECONNRESET', 'socket hang up']);
      expect(node.requests.map((r) => `${r.method} ${r.url} #${r.connection}`)).toEqual([`${method} /a #1`, `${method} /b #1`]);
      // The request that reached Node and got no answer has no line in HAProxy's log: none within 300 ms after /a's, however late it would come.
      await haproxy.logged(1);
      await expect(haproxy.logged(2, 300)).rejects.toThrow('1 of 2 lines');
      expect(haproxy.log().map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([`${method} /a 200`]);
    });
  }

  it("the same loss on a client connection's first request (possible with http-reuse always) is answered 502, logged with termination state SH--", async () => {
    const node = await startServer({ handler: dropFirstReused('/b') });
    const haproxy = await startHaproxy({ upstreamPort: node.port, backend: 'http-reuse always' });
    const got = [await outcome(request(haproxy, { agent: false, path: '/a' })), await outcome(request(haproxy, { agent: false, path: '/b' }))];
    const log = await haproxy.logged(2);

    expect(got).toEqual(['200', '502']);
    expect(log.map((l) => `${l.path} ${l.status} ${l.termination}`)).toEqual(['/a 200 ----', '/b 502 SH--']);
    expect(node.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/a #1', '/b #1']);
  });

  for (const method of ['GET', 'POST']) {
    it(`with retry-on all-retryable-errors HAProxy resends a lost ${method} on a new upstream connection: 200, one retry in its log`, async () => {
      const node = await startServer({ handler: dropFirstReused('/b') });
      const haproxy = await startHaproxy({ upstreamPort: node.port, backend: 'retry-on all-retryable-errors' });
      const agent = keepAliveAgent();
      const got = [];
      for (const p of ['/a', '/b']) got.push(await outcome(request(haproxy, { agent, method, path: p, body: method === 'POST' ? 'x' : undefined })));
      const log = await haproxy.logged(2);

      expect(got).toEqual(['200', '200']);
      expect(node.requests.map((r) => `${r.method} ${r.url} #${r.connection}`)).toEqual([`${method} /a #1`, `${method} /b #1`, `${method} /b #2`]);
      expect(log.map((l) => `${l.path} ${l.status} retries ${l.retries}`)).toEqual(['/a 200 retries 0', '/b 200 retries 1']);
      expect(log[1]!.upstreamPort).toBe(node.requests[2]!.peerPort);
    });
  }
});
