/**
 * Rule proxy-idle-timeout-chain: behind a reverse proxy that keeps idle
 * upstream connections, the Node server's idle timeout must be LONGER than the
 * proxy's upstream idle timeout. Then the proxy always closes an idle
 * connection first, and no request is ever sent on a connection the server is
 * closing: a loop of requests spaced around the proxy's idle timeout sees no
 * error at all. With the server's timeout shorter, a request the proxy sends
 * on an idle connection just as the server closes it is lost, and what the
 * client gets depends on the proxy and the method (the findings): nginx and
 * Caddy retry a GET but answer a POST with 502; HAProxy closes the client's
 * connection with no response at all (`abort_keep_alive` in http_ana.c).
 *
 * Source: AWS ELB docs, "Edit attributes for your Application Load Balancer",
 * Connection idle timeout (configure the application's idle timeout larger
 * than the load balancer's, 60 s by default; otherwise the load balancer may
 * send a request before it sees the close, and answers 502); nodejs/node #27363,
 * #20256; caddyserver/caddy #6452; nginx ngx_http_upstream_module
 * `keepalive_timeout`, `proxy_next_upstream`; HAProxy `http-reuse`,
 * `pool-purge-delay`, `retry-on`; Caddy reverse_proxy `transport http
 * keepalive`; Go net/http Transport (retries a replayable request lost on a
 * reused connection).
 * Releases: the Node side changed with the idle buffer — since 20.18.0/22.9.0
 * a server closes keepAliveTimeout + 1 s after a response (PR #54863), since
 * 22.19.0/24.6.0 + keepAliveTimeoutBuffer (PR #59243); the last expectation
 * is gated by SERVER_IDLE_CLOSE (release-gates.ts).
 * Peers: nginx, HAProxy, Caddy, each as a reverse proxy with upstream
 * keep-alive; what each does is data, in proxy-idle-timeout-chain.json.
 * Evidence: the upstream connections and requests the Node server saw (and
 * which it dropped), each proxy's own log, what the client got.
 *
 * Scaling: about 200-fold (`scale` in the JSON): the proxy's ~300 ms stands
 * for 60 s; a shorter Node server closes after 100 ms, a longer one after
 * 1500 ms. The lost request is made
 * deterministic (startCrossingServer in helpers/proxies.ts): on loopback a
 * real idle close reaches the proxy before its next request, so the pure race
 * would almost never be lost; the "errors appear" side drops every request
 * arriving after the server's idle close, as if it had crossed the FIN.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, dropFirstReused } from '../helpers/server';
import { request, serially } from '../helpers/client';
import { keepAliveAgent } from '../helpers/agents';
import { byRelease } from '../helpers/versions';
import { recordAfterTest } from '../helpers/evidence';
import { SERVER_IDLE_CLOSE } from '../helpers/release-gates';
import { startProxy, startCrossingServer, outcome, readChainFindings, withLoopStall, upstreamQuiet, type ProxyName } from '../helpers/proxies';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { openRaw } from '../helpers/raw';

const { proxies } = readChainFindings();

/** Gaps between requests around the proxy's ~300 ms idle timeout: some below it (the connection is reused), the last well above (the proxy has closed it); margins of 250 ms and 400 ms either side. */
const AROUND = [50, 150, 250, 700];
/**
 * Gaps all above the shorter server's 100 ms and below the proxy's ~300 ms:
 * each request that finds an idle connection is sent on one the server has
 * closed. Four, so that even if a loaded machine stretches some gaps past the
 * proxy's timeout (a new connection, nothing lost), requests are still lost.
 */
const BELOW = [150, 250, 150, 250];
const SHORTER_MS = 100;
/** SERVER_IDLE_CLOSE.fixedBuffer and .bufferOption together: the releases whose server adds 1 s by default (PR #54863). */
const WITH_BUFFER = { node: '>=20.18.0 <21.0.0 || >=22.9.0' };
/** Far beyond the proxy's idle timeout plus the longest gap: the proxy would have to reuse a connection idle 1.5 s. */
const LONGER_MS = 1_500;

/**
 * How long after its last response a real Node server with
 * `keepAliveTimeout: 150` closes an idle connection on this release, measured
 * once (directly, no proxy) and then given to the crossing server.
 */
let justBelowMs: Promise<number> | undefined;
function measuredJustBelow(): Promise<number> {
  justBelowMs ??= (async () => {
    const node = await startServer({ keepAliveTimeout: 150 });
    // A raw client: an agent would close first, reading "Keep-Alive: timeout=0".
    const raw = await openRaw(node.port);
    raw.send('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await raw.readResponse();
    return node.idleBeforeClose(1, 1_150 + TIMER_LATE_MS);
  })();
  return justBelowMs;
}

/** POSTs spaced by `gaps` through `proxy` to a server closing idle connections at `closeAtMs`; what the client and the server saw. */
async function loop(name: ProxyName, closeAtMs: number, gaps: number[]) {
  const node = await startCrossingServer(closeAtMs);
  const proxy = await startProxy(name, node.port, proxies[name].config);
  const agent = keepAliveAgent();
  const got: string[] = [];
  for (let i = 0; i <= gaps.length; i++) {
    if (i > 0) await sleep(gaps[i - 1]!);
    got.push(await outcome(request(proxy, { agent, method: 'POST', path: `/${i}`, body: 'x' })));
  }
  return { got, node };
}

/** The rule: every request answered 200 when the server outlives the proxy; the lost ones answered as the proxy answers a lost POST when not. */
function expectedFor(name: ProxyName, dropped: boolean[]): string[] {
  return dropped.map((d) => (d ? proxies[name].findings.lostPost.client : '200'));
}

describe('the Node server idle timeout must be longer than the proxy\'s upstream idle timeout', () => {
  for (const name of Object.keys(proxies) as ProxyName[]) {
    const { label, findings } = proxies[name];

    describe(label, () => {
      it(`reuses upstream connections: 3 requests of a kept-alive client — ${findings.reuse.says}`, async () => {
        const node = await startServer({ keepAliveTimeout: 10_000 });
        const proxy = await startProxy(name, node.port, proxies[name].config);
        const agent = keepAliveAgent();
        const results = await serially(3, (i) => request(proxy, { agent, path: `/${i}` }));

        expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
        expect({ proxy: label, upstreamConnections: node.connections.length }).toEqual({ proxy: label, upstreamConnections: findings.reuse.upstreamConnections });
        await proxy.logged(3);
      });

      it(`closes an idle upstream connection itself — ${findings.idleClose.says}`, async () => {
        const node = await startServer({ keepAliveTimeout: 10_000 });
        const proxy = await startProxy(name, node.port, proxies[name].config);
        await request(proxy, { agent: keepAliveAgent(), path: '/' });
        // Waited for well past the finding's bound; judged against the bound plus only the stall this worker really had meanwhile.
        const { value: idle, stallMs } = await withLoopStall(node.idleBeforeClose(1, findings.idleClose.maxMs + TIMER_LATE_MS));
        recordAfterTest('measured', () => [`the proxy closed its idle upstream connection ${idle} ms after the last response (the Node server's own timeout: 10 s; the worker's longest event-loop stall meanwhile: ${stallMs} ms)`]);

        expect(idle).toBeGreaterThanOrEqual(findings.idleClose.minMs);
        expect(idle).toBeLessThanOrEqual(findings.idleClose.maxMs + stallMs);
      });

      for (const method of ['GET', 'POST'] as const) {
        const lost = method === 'GET' ? findings.lostGet : findings.lostPost;
        it(`a ${method} lost on a reused upstream connection (the server closed it as the request arrived) — ${lost.says}`, async () => {
          const node = await startServer({ keepAliveTimeout: 10_000, handler: dropFirstReused('/b') });
          const proxy = await startProxy(name, node.port, proxies[name].config);
          const agent = keepAliveAgent();
          const got: string[] = [];
          for (const p of ['/a', '/b']) got.push(await outcome(request(proxy, { agent, method, path: p, body: method === 'POST' ? 'x' : undefined })));
          // A proxy configured to retry may resend after the client has its answer: the list is read once Node has gone quiet.
          await upstreamQuiet(node.server);

          expect({ proxy: label, client: got, upstream: node.requests.map((r) => `${r.method} ${r.url} #${r.connection}`) }).toEqual({
            proxy: label,
            client: ['200', lost.client],
            upstream: lost.upstream,
          });
        });
      }

      it(`server idle ${LONGER_MS} ms, longer than the proxy's: ${AROUND.length + 1} POSTs spaced ${AROUND.join('/')} ms — all 200, none lost: the proxy reused its connection for the short gaps and closed it itself before the long one`, async () => {
        const { got, node } = await loop(name, LONGER_MS, AROUND);

        expect({ proxy: label, dropped: node.crossed.filter((c) => c.dropped).length, got }).toEqual({ proxy: label, dropped: 0, got: AROUND.map(() => '200').concat('200') });
        // Around its idle timeout: the proxy reused a connection for the short gaps and closed it itself before the long one.
        expect(node.crossed.some((c) => c.idleMs > 0)).toBe(true);
        expect(node.connections.length).toBeGreaterThan(1);
      });

      it(`server idle ${SHORTER_MS} ms, shorter than the proxy's: ${BELOW.length + 1} POSTs spaced ${BELOW.join('/')} ms — requests are lost: each one sent on an idle connection gets "${findings.lostPost.client}"`, async () => {
        const { got, node } = await loop(name, SHORTER_MS, BELOW);
        const dropped = node.crossed.slice(1).map((c) => c.dropped);

        expect(dropped.filter(Boolean).length).toBeGreaterThan(0);
        // Each request the server dropped, and only those, reached the client as the proxy's lost-POST answer (a lost one is not retried).
        expect({ proxy: label, got }).toEqual({ proxy: label, got: ['200', ...expectedFor(name, dropped)] });
      });

      // What "keepAliveTimeout 150" means behind a ~300 ms proxy depends on the release: the 1 s buffer makes the server outlive the proxy.
      // The close is measured on a real Node server (once per file), then crossed with the proxy's requests as above.
      byRelease([
        {
          on: SERVER_IDLE_CLOSE.atTimeout,
          title: `${label}: keepAliveTimeout 150 ms behind the proxy, POSTs spaced 200 ms — Node closes at 150 ms, before the proxy: requests are lost ("${findings.lostPost.client}")`,
          test: async () => {
            const closesAt = await measuredJustBelow();
            expect(closesAt).toBeGreaterThanOrEqual(150 - TIMER_EARLY_MS);
            expect(closesAt).toBeLessThan(200);
            const { got, node } = await loop(name, closesAt, [200, 200, 200, 200]);
            const dropped = node.crossed.slice(1).map((c) => c.dropped);
            expect(dropped.filter(Boolean).length).toBeGreaterThan(0);
            expect({ proxy: label, got }).toEqual({ proxy: label, got: ['200', ...expectedFor(name, dropped)] });
          },
        },
        {
          on: WITH_BUFFER,
          title: `${label}: keepAliveTimeout 150 ms behind the proxy, POSTs spaced 200 ms — Node closes at 1150 ms (the 1 s buffer), after the proxy: all 200 on one connection`,
          test: async () => {
            const closesAt = await measuredJustBelow();
            expect(closesAt).toBeGreaterThanOrEqual(1_150 - TIMER_EARLY_MS);
            const { got, node } = await loop(name, closesAt, [200, 200]);
            expect({ proxy: label, got, dropped: node.crossed.filter((c) => c.dropped).length }).toEqual({ proxy: label, got: ['200', '200', '200'], dropped: 0 });
          },
        },
      ]);
    });
  }
});
