/**
 * npm run test:sensitivity [-- [--node RELEASE ...] [name ...]]
 *
 * Proves the specs notice when Node's keep-alive behaviour changes: the suite
 * is re-run once per file in scripts/regressions/, each preloaded with
 * NODE_OPTIONS=--require (so Jest and its workers run with the patched http
 * module), and each regression must turn at least one spec red. By default on
 * the running Node; `--node 18.14.0 --node 26` runs it on those releases
 * (binaries from the per-user cache, as the matrix has them), one table each.
 * Writes results/SENSITIVITY.md with which specs caught which regression on
 * which release (only when every regression ran); exits 1 if a clean run
 * fails or any regression goes unnoticed, 2 on bad arguments.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSuite, summary, ROOT } from './jest-run';
import { nodeBinary, resolveRelease, UsageError } from './node-binaries';
import { RESULTS_DIR } from './results-table';
import * as semver from 'semver';

const DIR = path.join(ROOT, 'scripts', 'regressions');

function parseArgs(args: string[]): { releases: string[]; only: string[] } {
  const releases: string[] = [];
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--node') {
      const value = args[++i];
      if (!value) throw new UsageError('--node needs a release, e.g. --node 26 or --node 18.14.0');
      releases.push(resolveRelease(value));
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} (expected --node RELEASE, or names of scripts/regressions/*.js)`);
    } else only.push(arg);
  }
  return { releases, only };
}

/** One release's table rows, or undefined when its clean run is not green. */
function onRelease(nodeBin: string, names: string[]): { version: string; rows: string[]; missed: number } | undefined {
  const clean = runSuite(nodeBin);
  console.log(`clean run on ${clean.version}: ${summary(clean)}`);
  if (clean.tests.some((t) => t.status === 'failed') || clean.brokenSuites.length) {
    console.log('✗ the suite is not green without regressions; fix that first');
    for (const t of clean.tests.filter((t) => t.status === 'failed')) console.log(`      ✕ ${t.file}: ${t.title}\n        ${t.message}`);
    for (const s of clean.brokenSuites) console.log(`      ✕ suite did not run: ${s}`);
    return undefined;
  }
  const rows: string[] = [];
  let missed = 0;
  const version = semver.coerce(clean.version)!.version;
  for (const name of names) {
    const file = path.join(DIR, `${name}.js`);
    const source = readFileSync(file, 'utf8');
    const what = source.split('\n')[0]!.replace(/^\/\/\s*Regression:\s*/, '');
    // "// Since: <release or range> (...)": elsewhere the patched behaviour is Node's own, so nothing changes.
    const since = /^\/\/\s*Since: (.+?) \((.*)\)$/m.exec(source);
    const range = since ? (/^[\d.]+$/.test(since[1]!) ? `>=${since[1]}` : since[1]!) : undefined;
    if (range && !semver.satisfies(version, range)) {
      console.log(`  - n/a    ${name}: not a change on Node ${version} (${since![2]})`);
      rows.push(`| [${name}](../scripts/regressions/${name}.js) | ${what} | n/a | not a change on Node ${version}: ${since![2]} |`);
      continue;
    }
    const run = runSuite(nodeBin, {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${file}`.trim(),
    });
    const red = run.tests.filter((t) => t.status === 'failed');
    const files = [...new Set(red.map((t) => path.basename(t.file, '.spec.ts')))];
    if (red.length === 0) missed++;
    console.log(`  ${red.length ? '✓ caught' : '✗ MISSED'} ${name}: ${red.length} failing tests in ${files.length} specs`);
    rows.push(`| [${name}](../scripts/regressions/${name}.js) | ${what} | ${red.length} | ${files.join(', ') || '**none**'} |`);
  }
  return { version: clean.version, rows, missed };
}

function main(): number {
  const { releases, only } = parseArgs(process.argv.slice(2));
  const all = readdirSync(DIR)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();
  const unknown = only.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new UsageError(`no regression "${unknown[0]}" in scripts/regressions/ (there are: ${all.join(', ')})`);
  const names = all.filter((n) => only.length === 0 || only.includes(n));
  const binaries = releases.length > 0 ? releases.map(nodeBinary) : [process.execPath];
  const sections: string[] = [];
  let missed = 0;
  for (const bin of binaries) {
    const result = onRelease(bin, names);
    if (!result) return 1;
    missed += result.missed;
    sections.push(
      `## Measured on: ${result.version}`,
      '',
      '| regression | what it breaks | failing tests | specs that caught it |',
      '|---|---|---|---|',
      ...result.rows,
      '',
    );
  }
  const table = [
    '# Sensitivity: which specs catch which regression',
    '',
    'Generated by `npm run test:sensitivity`. Each row re-runs the whole suite with one',
    "regression preloaded into Node's http module (`NODE_OPTIONS=--require …`), on each release named.",
    '',
    ...sections,
  ].join('\n');
  if (only.length === 0) writeFileSync(path.join(RESULTS_DIR, 'SENSITIVITY.md'), table);
  console.log(missed ? `✗ ${missed} regression(s) caught by no spec` : `✓ every regression was caught`);
  return missed ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`test:sensitivity: ${error instanceof UsageError ? error.message : (error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
