/**
 * What the matrix runs the suite on: a Node release, or another runtime that
 * claims Node compatibility (Bun, Deno), each from the npm registry and cached
 * per user (scripts/node-binaries.ts).
 *
 *   22, 22.12.0, v22.12.0, node@22.12.0   a Node release (a major: its newest)
 *   bun, bun@1.4.5, deno, deno@2.9.6      another runtime (alone: its newest)
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { ROOT } from './jest-run';
import { allReleases, CACHE_DIR, lastOfMajor, nodeBinary, resolveRelease, UsageError } from './node-binaries';
import { allGates } from '../helpers/release-gates';
import { KNOWN_RELEASES, holdsOn } from '../helpers/versions';

export type Runtime = 'node' | 'bun' | 'deno';

export interface Target {
  runtime: Runtime;
  version: string;
  /** "node 22.12.0", "bun 1.4.5" */
  label: string;
  /** The runtime's executable, fetched on first use. */
  binary(): string;
  /** Arguments before a script path to run it (`deno run -A`); none for node and bun. */
  runArgs: string[];
}

export function nodeTarget(version: string): Target {
  return { runtime: 'node', version, label: `node ${version}`, binary: () => nodeBinary(version), runArgs: [] };
}

/** npm package holding each runtime's binary for this platform, and the binary's path inside it. */
function runtimePackage(runtime: 'bun' | 'deno'): { name: string; file: string } {
  const key = `${process.platform}-${process.arch}`;
  const bun: Record<string, string> = { 'linux-x64': '@oven/bun-linux-x64', 'linux-arm64': '@oven/bun-linux-aarch64', 'darwin-x64': '@oven/bun-darwin-x64', 'darwin-arm64': '@oven/bun-darwin-aarch64' };
  const deno: Record<string, string> = { 'linux-x64': '@deno/linux-x64-glibc', 'linux-arm64': '@deno/linux-arm64-glibc', 'darwin-x64': '@deno/darwin-x64', 'darwin-arm64': '@deno/darwin-arm64' };
  const name = (runtime === 'bun' ? bun : deno)[key];
  if (!name) throw new UsageError(`no ${runtime} package for ${key} in the npm registry`);
  return { name, file: runtime === 'bun' ? 'bin/bun' : 'deno' };
}

function npmOut(args: string[], cwd?: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function runtimeVersions(runtime: 'bun' | 'deno'): string[] {
  try {
    const list = JSON.parse(npmOut(['view', runtime, 'versions', '--json'])) as string[];
    return list.filter((v) => semver.valid(v) && !semver.prerelease(v)).sort(semver.compare);
  } catch (error) {
    throw new UsageError(`cannot list ${runtime} versions from the npm registry: ${(error as Error).message.split('\n')[0]}`);
  }
}

function runtimeBinary(runtime: 'bun' | 'deno', version: string): string {
  const dir = path.join(CACHE_DIR, runtime, version);
  const bin = path.join(dir, runtime);
  if (existsSync(bin)) return bin;
  const pkg = runtimePackage(runtime);
  process.stdout.write(`  fetching ${runtime} ${version} from the npm registry into ${dir} ...\n`);
  mkdirSync(path.join(CACHE_DIR, runtime), { recursive: true });
  const tmp = mkdtempSync(path.join(CACHE_DIR, runtime, `.${version}-`));
  try {
    const tarball = npmOut(['pack', `${pkg.name}@${version}`, '--silent'], tmp).split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp, `package/${pkg.file}`]);
    mkdirSync(path.join(tmp, 'out'));
    renameSync(path.join(tmp, 'package', pkg.file), path.join(tmp, 'out', runtime));
    chmodSync(path.join(tmp, 'out', runtime), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(path.join(tmp, 'out'), dir);
  } catch (error) {
    throw new UsageError(`could not fetch ${runtime} ${version}: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

function runtimeTarget(runtime: 'bun' | 'deno', wanted: string | undefined): Target {
  const versions = runtimeVersions(runtime);
  const version = wanted === undefined ? versions[versions.length - 1] : wanted.replace(/^v/, '');
  if (!version || !semver.valid(version)) throw new UsageError(`"${runtime}@${wanted}" is not a ${runtime} version (expected e.g. ${runtime}@${versions.at(-1)})`);
  if (!versions.includes(version)) throw new UsageError(`${runtime} ${version} is not in the npm registry's ${runtime} package`);
  return { runtime, version, label: `${runtime} ${version}`, binary: () => runtimeBinary(runtime, version), runArgs: runtime === 'deno' ? ['run', '-A'] : [] };
}

/** Targets named on the command line; a UsageError for anything unknown. */
export function parseTargets(names: string[]): Target[] {
  const releases = allReleases();
  const targets: Target[] = [];
  for (const name of names) {
    const m = /^(node|bun|deno)(?:@(.+))?$/.exec(name);
    let target: Target;
    if (m && m[1] !== 'node') target = runtimeTarget(m[1] as 'bun' | 'deno', m[2]);
    else if (m && m[1] === 'node' && !m[2]) throw new UsageError('"node" needs a release: node@22.12.0, or just 22.12.0');
    else target = nodeTarget(resolveRelease(m ? m[2]! : name, releases));
    if (!targets.some((t) => t.label === target.label)) targets.push(target);
  }
  return sortTargets(targets);
}

export function sortTargets(targets: Target[]): Target[] {
  const order: Runtime[] = ['node', 'bun', 'deno'];
  return targets.sort((a, b) => order.indexOf(a.runtime) - order.indexOf(b.runtime) || semver.compare(a.version, b.version));
}

/** The `engines` floor of package.json, as a release. */
export function enginesFloor(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  return semver.minVersion(pkg.engines.node)!.version;
}

/**
 * For every gate, each pair (last release before, first release after) where
 * it starts or stops holding, over the releases in fixtures/node-releases.json.
 */
export function boundaryReleases(): string[] {
  const out = new Set<string>();
  for (const gate of allGates()) {
    for (let i = 1; i < KNOWN_RELEASES.length; i++) {
      const [before, after] = [KNOWN_RELEASES[i - 1]!, KNOWN_RELEASES[i]!];
      if (holdsOn(gate, before) !== holdsOn(gate, after)) out.add(before.node).add(after.node);
    }
  }
  return [...out];
}

/** The other runtimes of the default matrix, pinned in package.json ("matrix": { "runtimes": [...] }). */
export function pinnedRuntimes(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { matrix?: { runtimes?: string[] } };
  return pkg.matrix?.runtimes ?? [];
}

/** The floor, every major's newest release, both sides of every boundary, and the pinned runtimes. */
export function defaultTargets(): Target[] {
  const releases = allReleases();
  const floor = enginesFloor();
  const newest = semver.major(releases[releases.length - 1]!);
  const wanted = new Set<string>([floor, ...boundaryReleases()]);
  for (let major = semver.major(floor); major <= newest; major++) {
    const last = lastOfMajor(major, releases);
    if (last) wanted.add(last);
  }
  const nodes = [...wanted].filter((v) => semver.gte(v, floor)).map(nodeTarget);
  return sortTargets([...nodes, ...parseTargets(pinnedRuntimes())]);
}
