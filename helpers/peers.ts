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
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import getPort from 'get-port';
import { defer } from './cleanup';
import { within } from './wait';
import { recordAfterTest } from './evidence';
import { setTimeout as sleep } from 'node:timers/promises';

export type PeerName = 'nginx' | 'apache' | 'chromium';

const PEERS: Record<PeerName, { env: string; names: string[] }> = {
  nginx: { env: 'KA_NGINX', names: ['nginx'] },
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

/** "nginx/1.22.1", "Apache/2.4.71", "Chromium 156.0.8078.79": what the peer says of itself. */
export function peerVersion(name: PeerName): string {
  const bin = peerBinary(name);
  const run = spawnSync(bin, name === 'chromium' ? ['--version'] : ['-v'], { encoding: 'utf8' });
  const text = `${run.stdout}\n${run.stderr}`;
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

/** Start `bin args` in the foreground; stopped (SIGTERM, then SIGKILL) after the test. */
function foreground(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
  /** Apache's %k / nginx's $connection_requests: which request on its connection this was. */
  onConnection: number;
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

function server(name: string, port: number, dir: string, logFile: string): PeerServer {
  const log = () => parseLog(logFile);
  recordAfterTest(`${name}'s access log`, () => log().map((l) => `:${l.peerPort} ${l.method} ${l.path} ${l.status} (request ${l.onConnection} on its connection)`));
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
