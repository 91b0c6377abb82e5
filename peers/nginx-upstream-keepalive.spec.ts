/**
 * Rule nginx-upstream-keepalive: nginx in front of a Node server proxies each
 * request over a new upstream connection by default — HTTP/1.0 with
 * `Connection: close` — however the client talks to nginx. Only with an
 * upstream `keepalive` pool, `proxy_http_version 1.1` and an empty Connection
 * header does the Node server see one connection reused. When the Node server
 * closes an idle upstream connection first (its keepAliveTimeout shorter than
 * nginx's), nginx notices and opens a new one: the client never sees it. When
 * the close races a request nginx just sent on the cached connection, nginx
 * retries a GET on a new connection, but answers a POST with 502 Bad Gateway.
 *
 * Source: nginx docs, ngx_http_upstream_module `keepalive`, ngx_http_proxy_module
 * `proxy_http_version` (default 1.0) and `proxy_next_upstream` (non-idempotent
 * requests are not passed on); RFC 9112 §9.3.1.
 * Peer: nginx as a reverse proxy. Evidence: the upstream connections, HTTP
 * versions and Connection headers the Node server saw.
 */
import { startNginx } from '../helpers/peers';
import { startServer, dropFirstReused } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { shortIdle, idleCloseMs } from '../helpers/node-server';
import { within } from '../helpers/wait';
import { proxyDropped } from '../helpers/proxies';

const POOLED = { upstream: 'keepalive 4;', location: 'proxy_http_version 1.1;\nproxy_set_header Connection "";' };

/** nginx proxying every path to `port`, with or without an upstream keep-alive pool. */
function proxyTo(port: number, pool?: typeof POOLED) {
  return startNginx({
    http: `upstream node { server 127.0.0.1:${port}; ${pool?.upstream ?? ''} }`,
    server: `location / { proxy_pass http://node; ${pool?.location ?? ''} }`,
  });
}

describe('nginx in front of a Node server: upstream keep-alive', () => {
  it('by default each proxied request reaches Node on a new connection, as HTTP/1.0 with Connection: close', async () => {
    const node = await startServer();
    const nginx = await proxyTo(node.port);
    const agent = keepAliveAgent();
    await serially(3, (i) => request(nginx, { agent, path: `/${i}` }));
    const log = await nginx.logged(3);

    expect(node.requests.map((r) => [r.httpVersion, r.connectionHeader])).toEqual([
      ['1.0', 'close'],
      ['1.0', 'close'],
      ['1.0', 'close'],
    ]);
    expect(node.connections).toHaveLength(3);
    // ... while the client's own connection to nginx was kept alive all along.
    expect(new Set(log.map((l) => l.peerPort)).size).toBe(1);
  });

  it('with an upstream keepalive pool, HTTP/1.1 and an empty Connection header, Node sees one connection reused', async () => {
    const node = await startServer();
    const nginx = await proxyTo(node.port, POOLED);
    const agent = keepAliveAgent();
    await serially(3, (i) => request(nginx, { agent, path: `/${i}` }));

    expect(node.requests.map((r) => [r.httpVersion, r.connectionHeader, r.connection])).toEqual([
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
      ['1.1', undefined, 1],
    ]);
    expect(node.connections).toHaveLength(1);
  });

  it("when Node's idle timeout closes a pooled upstream connection first, nginx opens a new one and the client gets 200", async () => {
    const node = await startServer(shortIdle(100));
    const nginx = await proxyTo(node.port, POOLED);
    const agent = keepAliveAgent();
    const first = await request(nginx, { agent, path: '/a' });
    await within(idleCloseMs(node.server) + 2_000, 'Node closing the idle upstream connection', node.closed(1));
    await proxyDropped(node.requests[0]!.peerPort, node.port); // nginx has read the FIN: no race left
    const second = await request(nginx, { agent, path: '/b' });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(node.requests.map((r) => `${r.url} #${r.connection}`)).toEqual(['/a #1', '/b #2']);
  });

  it('a GET lost on a cached upstream connection is retried by nginx on a new one; the client gets 200', async () => {
    const node = await startServer({ handler: dropFirstReused('/b') });
    const nginx = await proxyTo(node.port, POOLED);
    const agent = keepAliveAgent();
    const results = await serially(2, (i) => request(nginx, { agent, path: ['/a', '/b'][i] }));

    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(node.requests.map((r) => `${r.method} ${r.url} #${r.connection}`)).toEqual(['GET /a #1', 'GET /b #1', 'GET /b #2']);
  });

  it('a POST lost the same way is not retried: the client gets 502 Bad Gateway', async () => {
    const node = await startServer({ handler: dropFirstReused('/b') });
    const nginx = await proxyTo(node.port, POOLED);
    const agent = keepAliveAgent();
    const results = await serially(2, (i) => request(nginx, { agent, method: 'POST', path: ['/a', '/b'][i], body: 'x' }));

    expect(results.map((r) => r.status)).toEqual([200, 502]);
    expect(node.requests.map((r) => `${r.method} ${r.url} #${r.connection}`)).toEqual(['POST /a #1', 'POST /b #1']);
  });
});
