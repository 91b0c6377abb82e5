/**
 * npm run bisect -- <spec file> [-t "<title pattern>"] --from <release> --to <release>
 *
 * Which release changed a behaviour? Runs the spec's matching tests with every
 * gate ignored (KA_IGNORE_GATES=1), first on --from and --to, then on releases
 * between them (binary search over the npm registry's `node` releases), and
 * ends with one line:
 *   changed in vX.Y.Z (last release before: vA.B.C)
 *   no change between vA.B.C and vX.Y.Z
 * A release is "changed" when any matching test passes where it failed on
 * --from, or fails where it passed. A major alone (--from 22, --to 22) means
 * that major's first release for --from and its newest for --to.
 * Exit: 0 with an answer; 2 with a one-line error for bad input.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { runSuite, ROOT, type RunResult } from './jest-run';
import { allReleases, nodeBinary, RELEASE_LIST_PACKAGE, resolveRelease, UsageError } from './node-binaries';

const USAGE = 'usage: npm run bisect -- <spec file> [-t "<title pattern>"] --from <release> --to <release>';

interface Args {
  spec: string;
  pattern: string | undefined;
  from: string;
  to: string;
}

function parseArgs(argv: string[]): Args {
  let spec: string | undefined;
  let pattern: string | undefined;
  let from: string | undefined;
  let to: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${arg} needs a value; ${USAGE}`);
      return v;
    };
    if (arg === '-t' || arg === '--testNamePattern') pattern = value();
    else if (arg === '--from') from = value();
    else if (arg === '--to') to = value();
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}; ${USAGE}`);
    else if (spec === undefined) spec = arg;
    else throw new UsageError(`one spec file at a time (got "${spec}" and "${arg}"); ${USAGE}`);
  }
  if (!spec || !from || !to) throw new UsageError(USAGE);
  return { spec, pattern, from, to };
}

/** specs/x.spec.ts, x.spec.ts or x: the spec file, relative to the project root. */
function specFile(name: string): string {
  const base = path.basename(name).replace(/\.spec\.ts$/, '');
  const file = path.join('specs', `${base}.spec.ts`);
  if (!existsSync(path.resolve(ROOT, file))) throw new UsageError(`no spec file "${name}" (looked for ${file})`);
  const found = file;
  return path.relative(ROOT, path.resolve(ROOT, found));
}

/** A major alone: its first release as --from, its newest as --to. */
function release(spec: string, end: 'from' | 'to', releases: string[]): string {
  const text = spec.replace(/^v/, '');
  if (/^\d+$/.test(text) && end === 'from') {
    const first = releases.find((v) => semver.major(v) === Number(text));
    if (!first) throw new UsageError(`no Node ${text}.x release in the npm registry (${RELEASE_LIST_PACKAGE})`);
    return first;
  }
  return resolveRelease(spec, releases);
}

type Outcome = Map<string, 'passed' | 'failed'>;

function outcome(run: RunResult): Outcome {
  const map: Outcome = new Map();
  for (const t of run.tests) if (t.status === 'passed' || t.status === 'failed') map.set(t.title.replace(/ \[[^\]]+\]$/, ''), t.status);
  return map;
}

function differences(a: Outcome, b: Outcome): string[] {
  const titles = new Set([...a.keys(), ...b.keys()]);
  return [...titles].filter((t) => a.get(t) !== b.get(t)).map((t) => `${a.get(t) ?? 'absent'} → ${b.get(t) ?? 'absent'}: ${t}`);
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const file = specFile(args.spec);
  const releases = allReleases();
  const from = release(args.from, 'from', releases);
  const to = release(args.to, 'to', releases);
  if (semver.gte(from, to)) throw new UsageError(`--from ${from} is not older than --to ${to}`);
  const span = releases.filter((v) => semver.gte(v, from) && semver.lte(v, to));
  const jestArgs = [file, ...(args.pattern ? ['-t', args.pattern] : [])];
  const cache = new Map<string, Outcome>();
  const at = (version: string): Outcome => {
    let result = cache.get(version);
    if (!result) {
      const run = runSuite(nodeBinary(version), { KA_IGNORE_GATES: '1' }, jestArgs);
      if (run.brokenSuites.length > 0) throw new UsageError(`the spec did not load on ${version}: ${run.brokenSuites[0]}`);
      result = outcome(run);
      if (result.size === 0) throw new UsageError(`no test in ${file} matches ${args.pattern ? `-t "${args.pattern}"` : 'at all'}`);
      const passed = [...result.values()].filter((s) => s === 'passed').length;
      console.log(`  v${version}: ${passed} passed, ${result.size - passed} failed`);
      cache.set(version, result);
    }
    return result;
  };

  console.log(`bisect ${file}${args.pattern ? ` -t "${args.pattern}"` : ''}: ${span.length} releases from v${from} to v${to}, gates ignored`);
  const base = at(from);
  if (differences(base, at(to)).length === 0) {
    console.log(`no change between v${from} and v${to}`);
    return 0;
  }
  // Invariant: span[lo] behaves as `from`, span[hi] does not.
  let lo = 0;
  let hi = span.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (differences(base, at(span[mid]!)).length === 0) lo = mid;
    else hi = mid;
  }
  for (const line of differences(at(span[lo]!), at(span[hi]!))) console.log(`    ${line}`);
  console.log(`changed in v${span[hi]} (last release before: v${span[lo]})`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`bisect: ${error instanceof UsageError ? error.message : (error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
