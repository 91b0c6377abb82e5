/**
 * npm run test:clients [-- <package>@<version> ...] [--record]
 *
 * The clients lane: installs the lane's pinned client libraries (clients/
 * package-lock.json) when clients/node_modules is missing or stale, installs
 * each extra `package@version` into the per-user cache
 * (~/.cache/keep-alive-specs/clients/<package>@<version>, as Node binaries
 * are), adds the user's adapter named by KA_CLIENT=./adapter.ts, type-checks
 * the lane, runs Jest over clients/*.spec.ts and writes results/CLIENTS.md
 * (the section of the running Node line).
 *
 * Bad input — an unknown client, a version the registry does not have, an
 * adapter that does not load or breaks the contract — is one line on stderr
 * and exit 2, before anything is installed or run.
 * --record adds this run's findings to clients/findings.json for columns that
 * have none (a new client); a finding that differs is never overwritten.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as semver from 'semver';
import { CACHE_DIR, UsageError } from '../scripts/node-binaries';
import type { ExtraVersion } from './columns';
import type { MeasuredLine } from './rule';
import { section, mergeInto } from './table';
import { readFindings, FINDINGS_FILE } from './recorded';
import { describeError } from './contract';
import type { ClientAdapter, ClientResponse } from './contract';
import { within } from '../helpers/wait';

const ROOT = path.join(__dirname, '..');
const LANE = __dirname;
const USAGE = 'usage: npm run test:clients [-- <package>@<version> ...] [--rule <id>] [--record]   (KA_CLIENT=./adapter.ts adds your own client)';

/** The packages the lane's adapters drive: its dependencies, npm aliases resolved. */
function lanePackages(): string[] {
  const deps = (JSON.parse(readFileSync(path.join(LANE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  return [...new Set(Object.entries(deps).map(([name, spec]) => /^npm:(@?[^@]+)@/.exec(spec)?.[1] ?? name))].sort();
}

/**
 * The version ranges the lane's adapters for `pkg` drive (undefined: every
 * version), read from the adapter files' text, so a version no adapter drives
 * (node-fetch@1.7.3) is refused before clients/node_modules exists.
 */
function adapterRanges(pkg: string): Array<string | undefined> {
  return readdirSync(path.join(LANE, 'adapters'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(LANE, 'adapters', f), 'utf8'))
    .filter((text) => new RegExp(`\\bpackage: '${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`).test(text))
    .map((text) => /\brange: '([^']+)'/.exec(text)?.[1]);
}

/** The versions of `pkg` clients/package.json pins (by its own name or an npm alias). */
function pinnedVersions(pkg: string): string[] {
  const deps = (JSON.parse(readFileSync(path.join(LANE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  return Object.entries(deps).flatMap(([name, spec]) => {
    const alias = /^npm:(@?[^@]+)@(.+)$/.exec(spec);
    return (alias ? alias[1] : name) === pkg ? [alias ? alias[2]! : spec] : [];
  });
}

interface Args {
  extra: Array<{ package: string; version: string }>;
  record: boolean;
  /** Spec files to run (--rule id), for bisecting; all when empty. */
  rules: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { extra: [], record: false, rules: [] };
  const known = lanePackages();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--record') args.record = true;
    else if (arg === '--rule') {
      const id = argv[++i];
      const rules = readdirSync(LANE).filter((f) => f.endsWith('.spec.ts')).map((f) => f.replace(/\.spec\.ts$/, ''));
      if (!id || !rules.includes(id)) throw new UsageError(`--rule needs one of ${rules.join(', ')}`);
      args.rules.push(id);
    }
    else if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}; ${USAGE}`);
    else {
      const m = /^(@?[^@\s]+)@([^@\s]+)$/.exec(arg);
      if (!m) throw new UsageError(`"${arg}" is not <package>@<version>; ${USAGE}`);
      const [, pkg, version] = m as unknown as [string, string, string];
      if (!known.includes(pkg)) throw new UsageError(`unknown client "${pkg}"; the lane drives ${known.join(', ')}`);
      if (!semver.valid(version)) throw new UsageError(`"${arg}": give an exact version, e.g. ${pkg}@1.2.3`);
      const ranges = adapterRanges(pkg);
      if (!ranges.some((range) => range === undefined || semver.satisfies(version, range))) {
        throw new UsageError(`no adapter drives ${arg}: the lane's ${pkg} adapters take ${ranges.join(', ')}`);
      }
      if (pinnedVersions(pkg).includes(version)) throw new UsageError(`${arg} is pinned in clients/package.json already: it is a column of every run`);
      if (args.extra.some((e) => e.package === pkg && e.version === version)) throw new UsageError(`${arg} is named twice`);
      args.extra.push({ package: pkg, version });
    }
  }
  return args;
}

function npm(args: string[], cwd = ROOT): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Throws a UsageError unless the registry has `pkg@version`. */
function checkPublished(pkg: string, version: string): void {
  let published: string;
  try {
    published = npm(['view', `${pkg}@${version}`, 'version', '--json']).trim();
  } catch (error) {
    const stderr = `${String((error as { stdout?: unknown }).stdout ?? '')}\n${String((error as { stderr?: unknown }).stderr ?? '')}`;
    if (/E404|No match found/.test(stderr)) throw new UsageError(`${pkg}@${version} is not a published version of ${pkg}`);
    throw new UsageError(`cannot ask the npm registry about ${pkg}@${version}: ${stderr.split('\n').find(Boolean) ?? String((error as Error).message).split('\n')[0]}`);
  }
  if (!published || JSON.parse(published) !== version) throw new UsageError(`${pkg}@${version} is not a published version of ${pkg}`);
}

/**
 * The user's adapter: loads it, checks the contract's shape, then makes one
 * GET to a loopback server of its own and checks the response's shape (a
 * numeric status, a headers object, a string body): throws a UsageError
 * saying why not, so a broken adapter stops the lane before anything runs.
 */
async function checkUserAdapter(file: string): Promise<string> {
  // Relative to where the user typed the command: npm runs scripts from the root, INIT_CWD is their directory.
  const absolute = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  if (!existsSync(absolute)) throw new UsageError(`KA_CLIENT=${file}: no such file`);
  // Loaded here under ts-node, as Jest will load it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { loadUserAdapter } = require('./columns') as typeof import('./columns');
  let adapter: ClientAdapter;
  try {
    adapter = loadUserAdapter(absolute);
  } catch (error) {
    throw new UsageError(String((error as Error).message).split('\n')[0]!);
  }
  const server = http.createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/contract`;
  try {
    let res: ClientResponse;
    const HUNG = new Error('no answer');
    try {
      res = await within(5_000, 'request()', Promise.resolve(adapter.request(url, { method: 'GET' }))).catch((error: unknown) => {
        throw String((error as Error).message).endsWith('did not happen within 5000 ms') ? HUNG : error;
      });
    } catch (error) {
      if (error === HUNG) throw new UsageError(`KA_CLIENT=${file}: its request() to a loopback server that answers at once did not settle within 5 s`);
      throw new UsageError(`KA_CLIENT=${file}: a GET to a loopback server failed: ${describeError(error)}`);
    }
    const r = res as unknown as Record<string, unknown> | undefined;
    const breach =
      typeof r !== 'object' || r === null ? `request() resolved with ${String(r)}, not { status, headers, body }`
      : typeof r.status !== 'number' ? 'request() resolved without a numeric "status"'
      : typeof r.headers !== 'object' || r.headers === null ? 'request() resolved without a "headers" object'
      : typeof r.body !== 'string' ? 'request() resolved without a string "body" (read the body to its end)'
      : r.status !== 200 || r.body !== 'ok' ? `request() resolved with status ${String(r.status)} and body ${JSON.stringify(r.body).slice(0, 40)} for a 200 "ok"`
      : undefined;
    if (breach) throw new UsageError(`KA_CLIENT=${file} breaks the adapter contract: ${breach}`);
  } finally {
    await adapter.close?.();
    server.closeAllConnections();
    server.close();
  }
  return absolute;
}

/** npm ci in clients/ when its node_modules is missing or was installed from another lockfile. */
function installLane(): void {
  const lock = readFileSync(path.join(LANE, 'package-lock.json'));
  const stamp = path.join(LANE, 'node_modules', '.ka-lock-sha1');
  const sha = createHash('sha1').update(lock).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sha) return;
  process.stdout.write('  installing the clients lane\'s pinned libraries (npm ci --prefix clients) ...\n');
  npm(['ci', '--no-audit', '--no-fund', '--prefix', LANE]);
  writeFileSync(stamp, sha);
}

/** `pkg@version` in the per-user cache (…/clients/<pkg>@<version>/node_modules/<pkg>), installed on first use. */
function installExtra(pkg: string, version: string): ExtraVersion {
  const base = path.join(CACHE_DIR, 'clients');
  const dir = path.join(base, `${pkg}@${version}`);
  const packageDir = path.join(dir, 'node_modules', pkg);
  if (!existsSync(path.join(packageDir, 'package.json'))) {
    process.stdout.write(`  installing ${pkg}@${version} into ${dir} ...\n`);
    mkdirSync(base, { recursive: true });
    const tmp = mkdtempSync(path.join(base, `.${pkg}@${version}-`));
    try {
      writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ private: true, dependencies: { [pkg]: version } }));
      npm(['install', '--no-audit', '--no-fund', '--omit=dev', '--engine-strict=false'], tmp);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir); // atomic: a half-installed version is never used
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw new UsageError(`could not install ${pkg}@${version}: ${String((error as Error).message).split('\n')[0]}`);
    }
  }
  return { package: pkg, version, dir: packageDir };
}

function typecheck(): number {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(LANE, 'tsconfig.json')], { stdio: 'inherit' });
  return r.status ?? 1;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const userAdapter = process.env.KA_CLIENT ? await checkUserAdapter(process.env.KA_CLIENT) : undefined;
  for (const e of args.extra) checkPublished(e.package, e.version);

  installLane();
  const extra = args.extra.map((e) => installExtra(e.package, e.version));
  if (typecheck() !== 0) {
    process.stderr.write('clients lane: the type check failed (tsc -p clients/tsconfig.json)\n');
    return 1;
  }

  const results = mkdtempSync(path.join(tmpdir(), 'ka-clients-'));
  try {
    // require(esm) warns on Node 20; the warning is not a finding.
    const quiet = semver.gte(semver.coerce(process.versions.node)!.version, '20.11.0') ? '--disable-warning=ExperimentalWarning' : '';
    const env = {
      ...process.env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, quiet].filter(Boolean).join(' '),
      KA_CLIENTS_RESULTS: results,
      KA_CLIENT_EXTRA: JSON.stringify(extra),
      ...(userAdapter ? { KA_CLIENT: userAdapter } : {}),
      ...(args.record ? { KA_CLIENTS_RECORD: '1' } : {}),
    };
    const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
    const run = spawnSync(process.execPath, [jest, '--config', path.join(LANE, 'jest.config.cjs'), ...args.rules.map((id) => path.join(LANE, `${id}.spec.ts`))], { stdio: 'inherit', env, cwd: ROOT });

    const lines: MeasuredLine[] = readdirSync(results)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(path.join(results, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as MeasuredLine));
    printAddedColumns(lines);
    const specs = readdirSync(LANE).filter((f) => f.endsWith('.spec.ts')).length;
    if (new Set(lines.map((l) => l.rule)).size === specs) {
      const out = path.join(ROOT, 'results', 'CLIENTS.md');
      writeFileSync(out, mergeInto(out, section(lines, readFindings(), process.versions.node)));
      process.stdout.write(`clients lane: wrote ${path.relative(ROOT, out)} (Node ${process.versions.node}, ${new Set(lines.map((l) => l.column)).size} client columns)\n`);
      if (args.record) recordFindings(lines);
    } else {
      process.stdout.write('clients lane: not every rule ran; results/CLIENTS.md left alone\n');
    }
    return run.status ?? 1;
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}

/**
 * The findings of the columns this run added (a version named on the command
 * line, the KA_CLIENT adapter), in words, each against its recorded finding:
 * what the user came for, without opening results/CLIENTS.md.
 */
function printAddedColumns(lines: MeasuredLine[]): void {
  const added = lines.filter((l) => l.source !== 'pinned');
  for (const column of [...new Set(added.map((l) => l.column))]) {
    process.stdout.write(`\n${column}: what the server saw\n`);
    for (const l of added.filter((x) => x.column === column)) {
      const against = l.normative && !l.normative.meets ? `  ⚠ against ${l.normative.anchor}` : '';
      const finding = l.notApplicable ? `not applicable (${l.notApplicable})` : l.finding ?? `harness error: ${l.error ?? 'no finding'}`;
      const recorded = l.finding === null ? '' : l.expected === null ? '  (no recorded finding)' : l.expected === l.finding ? '  (as recorded)' : `  ✗ recorded: ${l.expected}`;
      process.stdout.write(`  ${l.rule} › ${l.case}: ${finding}${against}${recorded}\n`);
    }
  }
  if (added.length) process.stdout.write('\n');
}

/** --record: a finding for every column that has none yet (a new client, a new rule); differences are reported, not written. */
function recordFindings(lines: MeasuredLine[]): void {
  const findings = readFindings();
  let added = 0;
  for (const l of lines) {
    if (l.finding === null || l.expected !== null) continue;
    const cases = (findings[l.rule] ??= {});
    const byClient = (cases[l.case] ??= {});
    (byClient[l.name] ??= []).push({ finding: l.finding });
    added++;
  }
  writeFileSync(FINDINGS_FILE, JSON.stringify(findings, null, 2) + '\n');
  process.stdout.write(`clients lane: recorded ${added} new findings in clients/findings.json\n`);
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  },
);
