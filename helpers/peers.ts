/**
 * Real peers for the peers lane (peers/): nginx, Apache httpd and Chromium,
 * from the machine's packages (`npm run peers:install`). Each server runs
 * from a config this helper writes into a fresh temp dir, on a free loopback
 * port, in the foreground as a child of the test, and is stopped and its dir
 * removed after the test, whatever happened. Its access log records the
 * client port of every request, so a spec can read, from the peer's own log,
 * which requests shared a connection.
 *
 * Each binary is found through an environment variable (KA_NGINX, KA_APACHE,
 * KA_CHROMIUM) or on PATH (and /usr/sbin); a missing one is an error naming
 * the install command.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import getPort from 'get-port';
import { defer } from './cleanup';
import { within } from './wait';
import { recordAfterTest } from './evidence';
import { setTimeout as sleep } from 'node:timers/promises';

export type PeerName = 'nginx' | 'apache' | 'chromium' | 'haproxy' | 'caddy';

const PEERS: Record<PeerName, { env: string; names: string[] }> = {
  nginx: { env: 'KA_NGINX', names: ['nginx'] },
  haproxy: { env: 'KA_HAPROXY', names: ['haproxy'] },
  caddy: { env: 'KA_CADDY', names: ['caddy'] },
  apache: { env: 'KA_APACHE', names: ['apache2', 'httpd'] },
  chromium: { env: 'KA_CHROMIUM', names: ['chromium', 'chromium-browser', 'google-chrome', 'chrome'] },
};

export const INSTALL_HINT = 'run "npm run peers:install" (Debian/Ubuntu), or see README "Real peers" for other systems';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The peer's executable, or undefined. */
export function findPeer(name: PeerName): string | undefined {
  const { env, names } = PEERS[name];
  const given = process.env[env];
  if (given) return executable(given) ? given : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'].filter(Boolean);
  for (const n of names) for (const d of dirs) if (executable(path.join(d, n))) return path.join(d, n);
  return undefined;
}

/** The peer's executable; throws a one-line error naming the install command if it is missing. */
export function peerBinary(name: PeerName): string {
  const found = findPeer(name);
  if (found) return found;
  const { env } = PEERS[name];
  const given = process.env[env];
  throw new Error(given ? `${env}=${given} is not an executable file` : `${name} not found (set ${env}, or ${INSTALL_HINT})`);
}

/** "nginx/1.22.1", "Apache/2.4.71", "Chromium 156.0.8078.79", "HAProxy 2.6.12", "Caddy 2.6.2": what the peer says of itself. */
export function peerVersion(name: PeerName): string {
  const bin = peerBinary(name);
  const flag = { chromium: ['--version'], caddy: ['version'], haproxy: ['-v'], nginx: ['-v'], apache: ['-v'] }[name];
  const run = spawnSync(bin, flag, { encoding: 'utf8' });
  const text = `${run.stdout}\n${run.stderr}`;
  if (name === 'haproxy') return `HAProxy ${/HAProxy version ([\d.]+)/.exec(text)?.[1] ?? '?'}`;
  if (name === 'caddy') return `Caddy ${/v?(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? '?'}`;
  const pattern = { nginx: /nginx\/[\d.]+/, apache: /Apache\/[\d.]+/, chromium: /Chromium [\d.]+|Chrome [\d.]+/ }[name];
  return pattern.exec(text)?.[0] ?? text.trim().split('\n')[0] ?? name;
}

/** A temp dir the peer's unprivileged workers can read; removed after the test. */
function peerDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ka-${prefix}-`));
  chmodSync(dir, 0o755);
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
async function listening(port: number, ms: number, child: ChildProcess, log: () => string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`peer exited with ${child.exitCode} before listening: ${log().trim().split('\n').pop() ?? ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - started > ms) throw new Error(`peer not listening on 127.0.0.1:${port} within ${ms} ms: ${log().trim().split('\n').pop() ?? ''}`);
    await sleep(20);
  }
}

/**
 * Start `bin args` in the foreground; stopped (SIGTERM, then SIGKILL) after
 * the test. With `output`, its stdout and stderr go to that file (HAProxy
 * logs to stdout); `env` is added to the environment.
 */
function foreground(bin: string, args: string[], options: { output?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const out = options.output === undefined ? undefined : openSync(options.output, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', out ?? 'ignore', out ?? 'pipe'], env: { ...process.env, ...options.env } });
  if (out !== undefined) closeSync(out); // the child has its own copy
  child.stderr?.resume();
  defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    try {
      await within(3_000, 'peer stopping', exited);
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return child;
}

/** One access-log line: the client port of the connection that carried the request, and more. */
export interface PeerLogLine {
  peerPort: number;
  method: string;
  path: string;
  status: number;
  /** Apache's %k / nginx's $connection_requests: which request on its connection this was (NaN where the peer does not log it). */
  onConnection: number;
  /** HAProxy (%bp): the proxy's own port on the upstream connection that carried the request, as the upstream saw it. */
  upstreamPort?: number;
  /** HAProxy (%rc): how many times the proxy retried the request upstream. */
  retries?: number;
  /** HAProxy (%tsc): the termination state, "----" when the request ended normally; Caddy: the upstream error it logged, if any. */
  termination?: string;
}

function parseLog(file: string): PeerLogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [peerPort, method, p, status, n] = line.split(' ');
      return { peerPort: Number(peerPort), method: method!, path: p!, status: Number(status), onConnection: Number(n) };
    });
}

export interface PeerServer {
  port: number;
  origin: string;
  dir: string;
  /** The peer's own access log, parsed: one line per request it answered. */
  log(): PeerLogLine[];
  /** Resolves once the access log has `n` lines (servers write a line after the response). */
  logged(n: number, ms?: number): Promise<PeerLogLine[]>;
}

const onConnectionLine = (l: PeerLogLine) => `:${l.peerPort} ${l.method} ${l.path} ${l.status} (request ${l.onConnection} on its connection)`;

function server(name: string, port: number, dir: string, logFile: string, parse = parseLog, line = onConnectionLine): PeerServer {
  const log = () => parse(logFile);
  recordAfterTest(`${name}'s access log`, () => log().map(line));
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    dir,
    log,
    logged: async (n, ms = 2_000) => {
      const started = Date.now();
      while (log().length < n) {
        if (Date.now() - started > ms) throw new Error(`peer access log: ${log().length} of ${n} lines within ${ms} ms`);
        await sleep(10);
      }
      return log();
    },
  };
}

/** Files a server serves: path → body. */
export type Files = Record<string, string>;

function writeFiles(root: string, files: Files): void {
  for (const [p, body] of Object.entries(files)) {
    const file = path.join(root, p);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
  }
}

/**
 * nginx with `directives` inside its `server { }` block (and `httpDirectives`
 * in `http { }`), serving `files` from its root. Logs "$remote_port $request_method
 * $uri $status $connection_requests".
 */
export async function startNginx(options: { server?: string; http?: string; files?: Files } = {}): Promise<PeerServer> {
  const bin = peerBinary('nginx');
  const dir = peerDir('nginx');
  const port = await getPort({ host: '127.0.0.1' });
  writeFiles(path.join(dir, 'www'), options.files ?? { 'index.html': 'hello' });
  const logFile = path.join(dir, 'access.log');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  log_format peer '$remote_port $request_method $uri $status $connection_requests';
  access_log ${logFile} peer;
  client_body_temp_path ${dir}/tmp-body;
  proxy_temp_path ${dir}/tmp-proxy;
  fastcgi_temp_path ${dir}/tmp-fastcgi;
  uwsgi_temp_path ${dir}/tmp-uwsgi;
  scgi_temp_path ${dir}/tmp-scgi;
  ${options.http ?? ''}
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    ${options.server ?? ''}
  }
}
`,
  );
  const child = foreground(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  await listening(port, 5_000, child, () => readText(path.join(dir, 'error.log')));
  return server('nginx', port, dir, logFile);
}

/**
 * Apache httpd (event MPM) with `directives` at the top level, serving `files`.
 * Logs "%{remote}p %m %U %>s %k" (%k: keep-alive requests before this one on
 * its connection, so the first request is 0).
 */
export async function startApache(options: { directives?: string; files?: Files; modules?: string[] } = {}): Promise<PeerServer> {
  const bin = peerBinary('apache');
  const dir = peerDir('apache');
  const port = await getPort({ host: '127.0.0.1' });
  writeFiles(path.join(dir, 'www'), options.files ?? { 'index.html': 'hello' });
  const modules = process.env.KA_APACHE_MODULES ?? '/usr/lib/apache2/modules';
  const logFile = path.join(dir, 'access.log');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  writeFileSync(
    path.join(dir, 'httpd.conf'),
    `ServerRoot "${dir}"
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
${(options.modules ?? []).map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`).join('\n')}
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogFormat "%{remote}p %m %U %>s %k" peer
CustomLog ${logFile} peer
DocumentRoot ${dir}/www
<Directory ${dir}/www>
  Require all granted
</Directory>
${root ? 'User nobody\nGroup nogroup' : ''}
${options.directives ?? ''}
`,
  );
  chmodSync(path.join(dir, 'www'), 0o755);
  const child = foreground(bin, ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND']);
  await listening(port, 5_000, child, () => readText(path.join(dir, 'error.log')));
  return server('Apache', port, dir, logFile);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A reverse proxy started in front of one upstream port. */
export interface ProxyServer extends PeerServer {
  /** The proxy's error/debug log, as text (what it said about upstream failures). */
  errors(): string;
}

/**
 * HAProxy in HTTP mode, in the foreground (`-db`), one frontend on a free
 * loopback port and one backend server, 127.0.0.1:`upstreamPort`.
 * `defaults` lines go into its `defaults` section, `backend` lines into the
 * backend, `server` words onto the server line (e.g. `pool-purge-delay 400ms`). Logs each request to stdout, captured in a file, as
 * "%cp %HM %HP %ST - %bp %rc %tsc": the client's port, method, path, status,
 * the proxy's own port on the upstream connection (as the Node server saw it),
 * retries and termination state. HAProxy logs nothing for a request it aborts
 * with `abort_keep_alive` (http_ana.c clears logwait there).
 */
export async function startHaproxy(options: { upstreamPort: number; defaults?: string; backend?: string; server?: string }): Promise<ProxyServer> {
  const bin = peerBinary('haproxy');
  const dir = peerDir('haproxy');
  const port = await getPort({ host: '127.0.0.1' });
  const logFile = path.join(dir, 'access.log');
  writeFileSync(
    path.join(dir, 'haproxy.cfg'),
    `global
  log stdout format raw local0 info
  pidfile ${dir}/haproxy.pid
defaults
  mode http
  log global
  option dontlognull
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  ${(options.defaults ?? '').split('\n').join('\n  ')}
frontend fe
  bind 127.0.0.1:${port}
  log-format "%cp %HM %HP %ST - %bp %rc %tsc"
  default_backend be
backend be
  ${(options.backend ?? '').split('\n').join('\n  ')}
  server node 127.0.0.1:${options.upstreamPort} ${options.server ?? ''}
`,
  );
  const child = foreground(bin, ['-db', '-f', path.join(dir, 'haproxy.cfg')], { output: logFile });
  await listening(port, 5_000, child, () => readText(logFile));
  const parse = (file: string): PeerLogLine[] =>
    readText(file)
      .split('\n')
      .filter((l) => /^\d+ /.test(l))
      .map((line) => {
        const [peerPort, method, p, status, , upstream, retries, termination] = line.split(' ');
        return { peerPort: Number(peerPort), method: method!, path: p!, status: Number(status), onConnection: NaN, upstreamPort: Number(upstream), retries: Number(retries), termination: termination! };
      });
  const line = (l: PeerLogLine) => `:${l.peerPort} ${l.method} ${l.path} ${l.status} upstream :${l.upstreamPort} retries ${l.retries} termination ${l.termination}`;
  return { ...server('HAProxy', port, dir, logFile, parse, line), errors: () => readText(logFile).split('\n').filter((l) => l && !/^\d+ /.test(l)).join('\n') };
}

/**
 * Caddy with a Caddyfile: a site on a free loopback port (no automatic HTTPS,
 * no admin endpoint; HOME and XDG dirs inside its temp dir) whose only
 * directive is `reverse_proxy 127.0.0.1:<upstreamPort> { <proxy> }`. Its
 * access log (JSON) gives the client's port, method, path and status; its
 * debug log what reverse_proxy said about each upstream round trip.
 */
export async function startCaddy(options: { upstreamPort: number; proxy?: string }): Promise<ProxyServer> {
  const bin = peerBinary('caddy');
  const dir = peerDir('caddy');
  const port = await getPort({ host: '127.0.0.1' });
  const logFile = path.join(dir, 'access.log');
  const debugFile = path.join(dir, 'debug.log');
  writeFileSync(
    path.join(dir, 'Caddyfile'),
    `{
  admin off
  auto_https off
  storage file_system ${dir}/data
  log {
    output file ${debugFile}
    level DEBUG
  }
}
http://127.0.0.1:${port} {
  log {
    output file ${logFile}
    format json
  }
  reverse_proxy 127.0.0.1:${options.upstreamPort} {
    ${(options.proxy ?? '').split('\n').join('\n    ')}
  }
}
`,
  );
  const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data') };
  const child = foreground(bin, ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { env, output: path.join(dir, 'stderr.log') });
  await listening(port, 5_000, child, () => readText(path.join(dir, 'stderr.log')));
  const parse = (file: string): PeerLogLine[] =>
    readText(file)
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as { status: number; request: { remote_port: string; method: string; uri: string } })
      .map((e) => ({ peerPort: Number(e.request.remote_port), method: e.request.method, path: e.request.uri, status: e.status, onConnection: NaN }));
  const line = (l: PeerLogLine) => `:${l.peerPort} ${l.method} ${l.path} ${l.status}`;
  // "upstream roundtrip POST /b: error EOF", one line per round trip reverse_proxy logged.
  const errors = () =>
    readText(debugFile)
      .split('\n')
      .filter((l) => l.includes('"upstream roundtrip"'))
      .map((l) => JSON.parse(l) as { request: { method: string; uri: string }; status?: number; error?: string })
      .map((e) => `upstream roundtrip ${e.request.method} ${e.request.uri}: ${e.error === undefined ? e.status : `error ${e.error}`}`)
      .join('\n');
  recordAfterTest("Caddy's reverse_proxy log", () => errors().split('\n').filter(Boolean));
  return { ...server('Caddy', port, dir, logFile, parse, line), errors };
}
