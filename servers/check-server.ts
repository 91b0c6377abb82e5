/**
 * `npm run check:server -- ./path/to/app [--wait SECONDS] [--path /url]`
 *
 * Loads a module (TypeScript or JavaScript) whose default export (or
 * module.exports) is an http.Server (listening or not: one already listening
 * on 127.0.0.1 or on every address is checked where it is), a request listener (an Express app, any
 * `(req, res) => …`), a Koa app, a Fastify instance, or a function taking no
 * arguments that returns (or resolves to) one of those. Starts it on
 * 127.0.0.1, port 0 — its own settings untouched — and runs the servers
 * lane's rules against it from a raw socket, printing its column of
 * results/SERVERS.md and what follows from it: the idle timeout it really
 * has, and which proxies' default upstream idle timeouts it is shorter than.
 *
 * The idle timeout is measured, never inferred: one request, then the
 * connection is left idle until the server closes it, at most --wait seconds
 * (default 75: enough for Fastify's 72 s + 1 s and the usual "61–65 s behind
 * an ALB" settings; it returns as soon as the server closes, so Node's
 * default takes 6 s). A server still open at the bound is reported as "≥ N s"
 * with what it advertises (Keep-Alive: timeout=…) and what its settings say
 * — and a proxy comparison the bound cannot decide says so instead of
 * guessing. Use --wait 10 for a quick lower bound, --wait 130 to decide
 * Caddy's 2 min too.
 *
 * A module that does not load, or exports something else: one line on
 * stderr, exit 2, nothing run.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runDeferred } from '../helpers/cleanup';
import { TIMER_LATE_MS } from '../helpers/wait';
import { once } from 'node:events';
import { measureIdle, measureRequestsPerConnection, measureSlowSecond, responseClock, connect, request, closeWithin, type Idle } from './measure';
import { bufferMs } from './lane';
import { AT_ONCE_MS } from './words';

/** Default upstream idle timeouts of the proxies people put in front of Node, each with its source. */
export const PROXIES: Array<{ name: string; idleMs: number; setting: string; source: string; note?: string }> = [
  {
    name: 'AWS ALB',
    idleMs: 60_000,
    setting: 'idle_timeout.timeout_seconds 60',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout',
  },
  {
    name: 'nginx',
    idleMs: 60_000,
    setting: 'upstream keepalive_timeout 60s (with keepalive N set)',
    source: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout',
  },
  {
    name: 'Traefik',
    idleMs: 90_000,
    setting: 'serversTransport forwardingTimeouts.idleConnTimeout 90s',
    source: 'https://doc.traefik.io/traefik/routing/services/#forwardingtimeouts',
  },
  {
    name: 'Caddy',
    idleMs: 120_000,
    setting: 'reverse_proxy transport http keepalive 2m',
    source: 'https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#keepalive',
  },
  {
    name: 'HAProxy',
    idleMs: 15_000,
    setting: 'server pool-purge-delay 5s; 3 purge periods',
    source: 'https://docs.haproxy.org/2.8/configuration.html#5.2-pool-purge-delay; measured in peers/proxy-idle-timeout-chain.spec.ts',
    note: 'no upstream idle timeout as such: idle connections are purged in rounds every pool-purge-delay (default 5 s; `timeout server` has no default); an idle connection is closed 3 purge periods after its last use (the peers lane: 0.3 s at pool-purge-delay 100ms; with the default 5 s, 15.0 s, measured by hand on HAProxy 2.6.12) — and a lost request gets no response at all (abort_keep_alive)',
  },
];

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(message);
}

interface Target {
  server: http.Server;
  port: number;
  /** What it was, in words. */
  kind: string;
  /** Its own graceful stop, and what that is. */
  stop: () => Promise<void>;
  stopCall: string;
}

function parseArgs(argv: string[]): { file: string; waitMs: number; path: string } {
  let file: string | undefined;
  let waitMs = 75_000;
  let url = '/';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--wait') {
      const s = Number(argv[++i]);
      if (!Number.isFinite(s) || s <= 0 || s > 600) usage(`--wait takes seconds between 1 and 600, got "${argv[i] ?? ''}"`);
      waitMs = s * 1000;
    } else if (arg === '--path') {
      url = argv[++i] ?? '';
      if (!url.startsWith('/')) usage(`--path takes a request path starting with "/", got "${url}"`);
    } else if (arg.startsWith('-')) {
      usage(`unknown option "${arg}" (options: --wait SECONDS, --path /url)`);
    } else if (file === undefined) {
      file = arg;
    } else {
      usage(`one module only, got "${file}" and "${arg}"`);
    }
  }
  if (file === undefined) usage('usage: npm run check:server -- ./path/to/app [--wait SECONDS] [--path /url]');
  return { file, waitMs, path: url };
}

// A real dynamic import (ts-node would turn `import()` into require() here), for ES modules.
const importESM = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

async function load(file: string): Promise<unknown> {
  const base = process.env.INIT_CWD ?? process.cwd(); // npm run starts in the package root; INIT_CWD is where the user was
  const full = path.resolve(base, file);
  if (!existsSync(full) && !['.ts', '.js', '.cjs', '.mjs', '.cts', '.mts'].some((ext) => existsSync(full + ext))) usage(`no such module: ${full}`);
  let mod: Record<string, unknown>;
  try {
    mod = /\.m[jt]s$/.test(full) ? await importESM(pathToFileURL(full).href) : (require(full) as Record<string, unknown>);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE') {
      try {
        mod = await importESM(pathToFileURL(full).href);
      } catch (inner) {
        usage(`${file} did not load: ${firstLine(inner)}`);
      }
    } else {
      usage(`${file} did not load: ${firstLine(error)}`);
    }
  }
  return mod && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
}

/**
 * The line of an error that says what is wrong. ts-node heads a syntax error
 * with "⨯ Unable to compile TypeScript:" and puts the diagnostic
 * ("app.js(1,19): error TS1136: Property assignment expected.") on the next
 * line: that one is given.
 */
function firstLine(error: unknown): string {
  const lines = String((error as Error)?.message ?? error)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const said = /Unable to compile TypeScript/.test(lines[0] ?? '') && lines[1] ? lines[1] : lines[0];
  return said ?? String(error);
}

const isFastify = (x: unknown): x is { server: http.Server; listen: (o: object) => Promise<string>; close: () => Promise<void>; version?: string } =>
  typeof x === 'object' && x !== null && 'server' in x && (x as { server: unknown }).server instanceof http.Server && typeof (x as { listen?: unknown }).listen === 'function';
const isKoa = (x: unknown): x is { callback: () => http.RequestListener } =>
  typeof x === 'object' && x !== null && typeof (x as { callback?: unknown }).callback === 'function' && typeof (x as { use?: unknown }).use === 'function';

async function listenLoopback(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

/**
 * A server the module already started (app.listen(3000) in the module, or a
 * factory returning app.listen()): its port, if it listens where loopback
 * reaches it (127.0.0.1, or every address); a one-line error if it listens
 * on some other address only; undefined if it does not listen.
 */
/** How long a server the module exported is given to finish a listen() it started (a host name's lookup). */
const LISTEN_GRACE_MS = 500;

async function alreadyListening(server: http.Server, file: string): Promise<number | undefined> {
  // listen(port, 'localhost') binds only after a DNS lookup in libuv's thread pool, which one turn of
  // the loop does not cover (it was then bound on check:server's port instead, the module's own never):
  // wait up to LISTEN_GRACE_MS for a pending listen; a server that does not listen costs that once.
  if (!server.listening) {
    // A ref'd timer (within()'s is unref'd, and nothing else keeps this process alive yet).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([once(server, 'listening'), new Promise((resolve) => (timer = setTimeout(resolve, LISTEN_GRACE_MS)))]);
    clearTimeout(timer);
  }
  if (!server.listening) return undefined;
  const address = server.address();
  if (address === null || typeof address === 'string') usage(`${file}: its server listens on a pipe (${String(address)}), not TCP`);
  if (!['127.0.0.1', '0.0.0.0', '::', '::ffff:127.0.0.1'].includes(address.address)) usage(`${file}: its server already listens on ${address.address}:${address.port}, which is not reachable on 127.0.0.1; export it before listen()`);
  return address.port;
}

function closeServer(server: http.Server): () => Promise<void> {
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Turn the export into a listening server on 127.0.0.1, or a one-line usage error. */
async function start(exported: unknown, file: string, depth = 0): Promise<Target> {
  if (exported instanceof https.Server) usage(`${file} exports an https.Server: check:server speaks plain HTTP; export the app or an http.Server`);
  if (exported instanceof http.Server) {
    const listening = await alreadyListening(exported, file);
    const port = listening ?? (await listenLoopback(exported));
    return { server: exported, port, kind: listening ? `http.Server (already listening, reached on 127.0.0.1:${listening})` : 'http.Server', stop: closeServer(exported), stopCall: 'server.close()' };
  }
  if (isFastify(exported)) {
    const listening = await alreadyListening(exported.server, file);
    if (!listening) await exported.listen({ port: 0, host: '127.0.0.1' });
    const port = listening ?? (exported.server.address() as net.AddressInfo).port;
    return { server: exported.server, port, kind: `Fastify instance${exported.version ? ` (fastify ${exported.version})` : ''}`, stop: () => exported.close(), stopCall: 'app.close()' };
  }
  if (isKoa(exported)) {
    const server = http.createServer(exported.callback());
    const port = await listenLoopback(server);
    return { server, port, kind: 'Koa app (http.createServer(app.callback()))', stop: closeServer(server), stopCall: 'server.close()' };
  }
  if (typeof exported === 'function') {
    const fn = exported as (...args: unknown[]) => unknown;
    if (fn.length >= 2) {
      const server = http.createServer(fn as http.RequestListener);
      const port = await listenLoopback(server);
      return { server, port, kind: 'request listener (http.createServer(listener))', stop: closeServer(server), stopCall: 'server.close()' };
    }
    if (depth > 0) usage(`${file}: the function it exports returns another function; expected an http.Server, a request listener, a Koa app or a Fastify instance`);
    let made: unknown;
    try {
      made = await fn();
    } catch (error) {
      usage(`${file}: its exported function threw: ${firstLine(error)}`);
    }
    return start(made, file, depth + 1);
  }
  const what = exported === null ? 'null' : Array.isArray(exported) ? 'an array' : typeof exported === 'object' ? `an object (${Object.keys(exported as object).slice(0, 4).join(', ') || 'no keys'})` : `a ${typeof exported}`;
  usage(`${file} exports ${what}: expected an http.Server, a request listener (Express app), a Koa app, a Fastify instance, or a function returning one`);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function idleWords(idle: Idle, settingsMs: number | undefined): string {
  const advert = idle.keepAlive ? `advertises Keep-Alive: ${idle.keepAlive}` : 'sends no Keep-Alive header';
  if (idle.closedAfterMs !== undefined) return `${advert}; closed the idle connection (${idle.how}) ${s(idle.closedAfterMs)} after the response`;
  const settings = settingsMs === undefined ? 'keepAliveTimeout 0: no idle timeout by its settings' : `its settings say it closes at ${s(settingsMs)}`;
  return `${advert}; still open ${s(idle.boundMs)} after the response (the bound; ${settings})`;
}

async function main(): Promise<number> {
  const { file, waitMs, path: url } = parseArgs(process.argv.slice(2));
  const target = await start(await load(file), file);
  const { server, port } = target;
  const clock = responseClock(server);
  const buffer = bufferMs(server);
  const settingsMs = server.keepAliveTimeout > 0 ? server.keepAliveTimeout + buffer : undefined;
  console.log(`check:server ${file}: ${target.kind}, listening on 127.0.0.1:${port}, Node ${process.versions.node}`);
  console.log(`  settings read from the server object: keepAliveTimeout ${server.keepAliveTimeout} ms (+ ${buffer} ms buffer on this Node), headersTimeout ${server.headersTimeout} ms, requestTimeout ${server.requestTimeout} ms, maxRequestsPerSocket ${server.maxRequestsPerSocket ?? 0}`);
  console.log(`  waiting at most ${s(waitMs)} for the idle close (--wait)…`);

  // The idle close and the stalled second request run side by side, on two connections.
  const gapMs = settingsMs !== undefined ? Math.min(waitMs, settingsMs + TIMER_LATE_MS) : Math.min(waitMs, 7_000);
  const [idle, slow, per] = await Promise.all([
    measureIdle(port, url, waitMs, clock),
    measureSlowSecond(port, url, gapMs),
    measureRequestsPerConnection(port, url, 100),
  ]);

  // Shutdown with an idle kept-alive connection.
  const conn = await connect(port);
  conn.send(request(url));
  await conn.readResponse(5_000);
  const t0 = performance.now();
  let stoppedAt: number | undefined;
  const stopped = target.stop().then(() => (stoppedAt = performance.now()), () => (stoppedAt = performance.now()));
  const idleClose = await closeWithin(conn, 5_000);
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  conn.socket.destroy();

  const column: Array<[string, string]> = [
    ['server-idle-close', idleWords(idle, settingsMs)],
    [
      'server-slow-second-request',
      !slow.early
        ? `a second request whose head paused ${s(slow.gapMs)} ${slow.status !== undefined ? `was answered ${slow.status}` : 'got no response'}`
        : slow.status !== undefined
          ? `a second request whose head paused was answered ${slow.status} before its head was complete, and closed (${slow.how}) ${slow.closedAfterMs !== undefined ? s(slow.closedAfterMs) : '?'} after its last byte`
          : `a second request whose head paused was cut ${slow.closedAfterMs !== undefined ? s(slow.closedAfterMs) : '?'} after its last byte (${slow.how}), no response`,
    ],
    [
      'server-requests-per-connection',
      per.closeOn !== undefined
        ? `Connection: close on response ${per.closeOn}${per.advertisedMax !== undefined ? ` (advertises max=${per.advertisedMax})` : ''}`
        : per.served === per.sent
          ? `no limit seen: ${per.served} of ${per.sent} requests on one connection, all keep-alive${per.advertisedMax !== undefined ? ` (advertises max=${per.advertisedMax})` : ''}`
          : `served ${per.served} of ${per.sent}, then the connection ended without Connection: close`,
    ],
    [
      'server-shutdown (idle connection only)',
      `${target.stopCall}: the idle connection ${idleClose ? (idleClose.at - t0 <= AT_ONCE_MS ? `ended at once (${idleClose.how})` : `ended after ${s(idleClose.at - t0)} (${idleClose.how})`) : 'was still open 5 s later'}; stop ${stoppedAt !== undefined ? `returned after ${s(stoppedAt - t0)}` : 'had not returned after 5 s'}`,
    ],
  ];
  console.log('');
  for (const [rule, words] of column) console.log(`  ${rule}: ${words}`);

  console.log('\nWhat follows:');
  const measured = idle.closedAfterMs;
  if (measured !== undefined) console.log(`  idle timeout: ${s(measured)} (measured)${idle.keepAlive ? `, advertises ${idle.keepAlive}` : ''}`);
  else console.log(`  idle timeout: ≥ ${s(idle.boundMs)} (measured: still open at the bound)${idle.keepAlive ? `, advertises ${idle.keepAlive}` : ''}${settingsMs !== undefined ? `; by its settings ${s(settingsMs)}` : '; no idle timeout in its settings'}`);
  let atRisk = 0;
  for (const p of PROXIES) {
    const label = `${p.name} (${p.setting}; ${p.source})`;
    let verdict: string;
    if (measured !== undefined) {
      if (measured <= p.idleMs) {
        verdict = `SHORTER: it closes idle connections (${s(measured)}) before ${p.name} gives them up (${s(p.idleMs)}) — the race that loses a request (502 or a dropped connection)`;
        atRisk++;
      } else verdict = `longer (${s(measured)} > ${s(p.idleMs)}): ${p.name} closes first`;
    } else if (idle.boundMs > p.idleMs) {
      verdict = `longer (≥ ${s(idle.boundMs)} > ${s(p.idleMs)}, measured): ${p.name} closes first`;
    } else {
      verdict = `not decided by the measurement (≥ ${s(idle.boundMs)} vs ${s(p.idleMs)}); ${settingsMs === undefined ? 'its settings have no idle timeout' : `its settings say ${s(settingsMs)}: ${settingsMs <= p.idleMs ? 'shorter' : 'longer'}`} — run with --wait ${Math.ceil(p.idleMs / 1000) + 5} to measure`;
    }
    console.log(`  vs ${label}: ${verdict}${p.note ? ` [${p.note}]` : ''}`);
  }
  console.log(atRisk > 0 ? `\n  Advice (AWS's own): set the server's idle timeout longer than the proxy's — server.keepAliveTimeout above the proxy's upstream idle timeout.` : '');
  return 0;
}

if (require.main === module) {
  main()
    .then(
      (code) => code,
      (error) => {
        if (error instanceof UsageError) {
          process.stderr.write(`check:server: ${error.message}\n`);
          return 2;
        }
        process.stderr.write(`check:server: ${firstLine(error)}\n`);
        return 1;
      },
    )
    .then(async (code) => {
      await runDeferred().catch(() => undefined);
      process.exit(code);
    });
}
