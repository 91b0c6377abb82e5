/**
 * Reverse proxies in front of a Node server, for the timeout-chain specs of
 * the peers lane: nginx, HAProxy and Caddy started by name with an upstream
 * keep-alive config (helpers/peers.ts starts each), a Node server whose idle
 * close is made to cross the proxy's next request, and the client's view of a
 * request in one word.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as path from 'node:path';
import { startHaproxy, startCaddy, startNginx, type PeerLogLine } from './peers';
import { startServer, type ServerFixture } from './server';
import { recordAfterTest } from './evidence';
import { emitsWithin, within } from './wait';
import { keepAliveAgent } from './agents';
import { request } from './client';
import { idleCloseMs, shortIdle } from './node-server';

export type ProxyName = 'nginx' | 'haproxy' | 'caddy';

/** Upstream keep-alive config, per proxy: the lines helpers/peers.ts puts in its config. */
export type ProxyConfig = Record<string, string>;

export interface Proxy {
  port: number;
  /** The proxy's own access log. */
  log(): PeerLogLine[];
  logged(n: number, ms?: number): Promise<PeerLogLine[]>;
}

/** `name` proxying every request to 127.0.0.1:`upstreamPort`, configured with `config`. */
export async function startProxy(name: ProxyName, upstreamPort: number, config: ProxyConfig): Promise<Proxy> {
  switch (name) {
    case 'nginx':
      return startNginx({
        http: `upstream node { server 127.0.0.1:${upstreamPort}; ${config.upstream ?? ''} }`,
        server: `location / { proxy_pass http://node; ${config.location ?? ''} }`,
      });
    case 'haproxy':
      return startHaproxy({ upstreamPort, defaults: config.defaults, backend: config.backend, server: config.server });
    case 'caddy':
      return startCaddy({ upstreamPort, proxy: config.proxy });
  }
}

/** What the client got: the status ("200", "502"), or the error's message ("socket hang up"). */
export function outcome(result: Promise<{ status: number }>): Promise<string> {
  return result.then(
    (r) => String(r.status),
    (error: Error) => error.message,
  );
}

/** One request as the crossing server saw it. */
export interface CrossedRequest {
  label: string;
  /** How long its connection had been idle when it arrived (0 for a connection's first request). */
  idleMs: number;
  /** It arrived after the server's idle close: dropped with no response. */
  dropped: boolean;
}

export interface CrossingServer extends ServerFixture {
  /** When the server closes an idle connection, in ms after its last response. */
  closeAtMs: number;
  crossed: CrossedRequest[];
}

/**
 * A Node server whose idle close at `closeAtMs` always crosses the proxy's
 * next request on the wire — the race behind every "502 behind a proxy",
 * made deterministic. On loopback a real FIN reaches the proxy within
 * microseconds, and the proxy then never reuses the connection, so the race
 * is almost never lost; here the server's own idle timer is off
 * (keepAliveTimeout 0) and a request arriving on a connection that has been
 * idle `closeAtMs` or longer is treated as having crossed the FIN: its socket
 * is destroyed with no response (the technique of dropFirstReused).
 */
export async function startCrossingServer(closeAtMs: number): Promise<CrossingServer> {
  const crossed: CrossedRequest[] = [];
  const lastResponse = new WeakMap<Socket, number>();
  const fixture = await startServer({
    keepAliveTimeout: 0,
    handler: (req: IncomingMessage, res) => {
      const socket = req.socket;
      const last = lastResponse.get(socket);
      const idleMs = last === undefined ? 0 : Math.round(performance.now() - last);
      const dropped = last !== undefined && idleMs >= closeAtMs;
      crossed.push({ label: `${req.method} ${req.url}`, idleMs, dropped });
      req.resume();
      if (dropped) {
        socket.destroy();
        return;
      }
      res.on('finish', () => lastResponse.set(socket, performance.now()));
      res.end(`${req.url} ok`);
    },
  });
  recordAfterTest(`Node server (idle close at ${closeAtMs} ms, crossing the next request)`, () =>
    crossed.map((c) => `${c.label} after ${c.idleMs} ms idle${c.dropped ? ': dropped, as if it crossed the FIN' : ''}`),
  );
  return Object.assign(fixture, { closeAtMs, crossed });
}

/**
 * Resolves once the proxy has closed its end of an upstream connection the
 * server closed first: the proxy's socket (local port `proxyPort`, remote
 * `serverPort`) has left CLOSE_WAIT in the kernel's table (/proc/net/tcp) —
 * the proxy has read the FIN and dropped the connection from its pool. Until
 * then a request it sends on that connection is lost: on a loaded machine a
 * proxy process (Caddy's read goroutine, say) may take milliseconds to read
 * the FIN, which is the race itself. Without /proc (macOS), waits 500 ms.
 */
export async function proxyDropped(proxyPort: number, serverPort: number, ms = 3_000): Promise<void> {
  const tables = ['/proc/net/tcp', '/proc/net/tcp6'].filter((f) => existsSync(f));
  if (tables.length === 0) return void (await sleep(500));
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const closeWait = () =>
    tables.some((t) =>
      readFileSync(t, 'utf8')
        .split('\n')
        .some((line) => {
          const [, local, remote, state] = line.trim().split(/\s+/);
          return local?.endsWith(`:${hex(proxyPort)}`) && remote?.endsWith(`:${hex(serverPort)}`) && state === '08';
        }),
    );
  const started = performance.now();
  while (closeWait()) {
    if (performance.now() - started > ms) throw new Error(`the proxy did not close its end of upstream connection :${proxyPort} within ${ms} ms`);
    await sleep(5);
  }
}

/**
 * `promise`'s value, and the longest this process's event loop was blocked
 * while it was pending (ms, at a 10 ms resolution). A close timed by the
 * Node server is seen that much late at most when a loaded machine stalls
 * the worker; a spec adds it to a tight upper bound instead of a wide fixed
 * allowance, so a proxy configured twice as long is still told apart.
 */
export async function withLoopStall<T>(promise: Promise<T>): Promise<{ value: T; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const value = await promise;
    return { value, stallMs: Math.ceil(delay.max / 1e6) };
  } finally {
    delay.disable();
  }
}

/**
 * Resolves once no request has reached `server` for `ms` (at most `rounds`
 * times `ms`; it says so if requests keep coming). A proxy told to retry
 * resends a lost request after the client has its answer (Caddy answers 502
 * as soon as its last resend fails, before Node has parsed that resend's
 * head): the upstream's list of requests is read only once it is complete.
 */
export async function upstreamQuiet(server: EventEmitter, ms = 300, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) if (!(await emitsWithin(server, 'request', ms))) return;
  throw new Error(`requests kept reaching the upstream server for ${rounds * ms} ms`);
}

/** peers/proxy-idle-timeout-chain.json, read as a file (no resolveJsonModule needed). */
export interface ChainFindings {
  scale: string;
  proxies: Record<
    ProxyName,
    {
      label: string;
      config: ProxyConfig;
      findings: {
        reuse: { upstreamConnections: number; says: string };
        /** The proxy's close, ms after the last response, as the Node server timed it: minMs ≤ it ≤ maxMs + the worker's event-loop stall meanwhile. */
        idleClose: { minMs: number; maxMs: number; says: string };
        lostGet: { client: string; upstream: string[]; says: string };
        lostPost: { client: string; upstream: string[]; says: string };
      };
    }
  >;
}

/**
 * The findings file: KA_PROXY_FINDINGS names another one (a copy with other
 * proxy configs, to see which findings they change), else the lane's own.
 */
export function readChainFindings(file = process.env.KA_PROXY_FINDINGS || path.join(__dirname, '..', 'peers', 'proxy-idle-timeout-chain.json')): ChainFindings {
  return JSON.parse(readFileSync(file, 'utf8')) as ChainFindings;
}

/**
 * Two POSTs through a proxy with a keep-alive client, the second only after
 * the Node server (idle window of ~100 ms) has closed the pooled upstream
 * connection and the proxy has read that FIN: the statuses the client got and
 * `url #connection` of each request the Node server saw.
 */
export async function postsAfterNodeIdleClose(start: (upstreamPort: number) => Promise<{ port: number }>): Promise<{ statuses: number[]; seen: string[] }> {
  const node = await startServer(shortIdle(100));
  const proxy = await start(node.port);
  const agent = keepAliveAgent();
  const first = await request(proxy, { agent, method: 'POST', path: '/a', body: 'x' });
  await within(idleCloseMs(node.server) + 2_000, 'Node closing the idle upstream connection', node.closed(1));
  // Only once the proxy has read the FIN: a request sent before that is the race itself (the chain spec's subject).
  await proxyDropped(node.requests[0]!.peerPort, node.port);
  const second = await request(proxy, { agent, method: 'POST', path: '/b', body: 'x' });
  return { statuses: [first.status, second.status], seen: node.requests.map((r) => `${r.url} #${r.connection}`) };
}
