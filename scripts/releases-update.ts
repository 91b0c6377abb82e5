/**
 * npm run releases:update
 *
 * Brings fixtures/node-releases.json up to date with the npm registry: every
 * Node release from the `engines` floor on, with the undici version it
 * bundles (read from the release itself, `process.versions.undici`). Releases
 * already listed are kept as they are; a new one is fetched once to ask it.
 * Node 19.0.0 – 19.3.0 do not report undici: their versions come from Node's
 * changelog (UNREPORTED below). helpers/versions.ts checks every gate against
 * this list, and the boundary matrix is drawn from it.
 * Exit: 0 written; 2 with a one-line error.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { ROOT } from './jest-run';
import { allReleases, nodeBinary, UsageError } from './node-binaries';
import { enginesFloor } from './targets';

const FILE = path.join(ROOT, 'fixtures', 'node-releases.json');

/** Releases that do not report their undici; from Node's CHANGELOG_V19.md ("deps: update undici to …"). */
const UNREPORTED: Record<string, string> = { '19.0.0': '5.11.0', '19.0.1': '5.11.0', '19.1.0': '5.12.0', '19.2.0': '5.13.0', '19.3.0': '5.14.0' };

interface Release {
  node: string;
  undici: string;
}

function main(): number {
  if (process.argv.length > 2) throw new UsageError(`takes no arguments (got: ${process.argv.slice(2).join(' ')})`);
  const known = new Map<string, Release>((JSON.parse(readFileSync(FILE, 'utf8')) as { releases: Release[] }).releases.map((r) => [r.node, r]));
  const floor = enginesFloor();
  const releases: Release[] = [];
  for (const node of allReleases().filter((v) => semver.gte(v, floor))) {
    let release = known.get(node);
    if (!release) {
      const reported = execFileSync(nodeBinary(node), ['-p', 'process.versions.undici ?? ""'], { encoding: 'utf8' }).trim();
      const undici = reported || UNREPORTED[node];
      if (!undici) throw new UsageError(`Node ${node} does not report its undici and none is recorded for it`);
      release = { node, undici };
      console.log(`  added ${node} (undici ${undici})`);
    }
    releases.push(release);
  }
  const about = 'Every Node release from the engines floor to the newest checked, with the undici it bundles. Written by `npm run releases:update`; read by helpers/versions.ts (gate checks) and the boundary matrix.';
  writeFileSync(FILE, JSON.stringify({ about, releases }, null, 1) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), FILE)}: ${releases.length} releases, ${releases[0]?.node} – ${releases[releases.length - 1]?.node}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`releases:update: ${error instanceof UsageError ? error.message : (error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
