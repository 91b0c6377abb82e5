/**
 * npm run test:matrix                     the boundary matrix (see below), then the table
 * npm run test:matrix -- 22.12.0 24       exact releases, or a major's newest release
 * MATRIX_NODES="20.17.0 22" npm run test:matrix
 * npm run test:matrix -- --check          also fail if results/RESULTS.md was stale
 * npm run results:table                   re-render results/RESULTS.md from results/runs/*.json
 *
 * The default matrix is the releases that matter: the `engines` floor, the
 * newest release of every major from the floor's to the newest, and for every
 * boundary in helpers/release-gates.ts the last release before it and the
 * first with it. Binaries come from the npm registry (scripts/node-binaries.ts),
 * cached per user. Releases run one after another so the timing specs never
 * compete with another suite for the two cores.
 *
 * Exit: 0 all green (and fresh, with --check); 1 a test failed or the table
 * was stale; 2 bad arguments (one line, nothing run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSuite, summary, ROOT } from './jest-run';
import { UsageError } from './node-binaries';
import { defaultTargets, parseTargets, type Target } from './targets';
import { clearRuns, readRuns, renderTable, runFile, statusesOnly, TABLE_FILE, type TargetResults } from './results-table';

function main(): number {
  const args = process.argv.slice(2);
  const flags = args.filter((a) => a.startsWith('-'));
  const unknown = flags.filter((f) => f !== '--check' && f !== '--table');
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]} (expected --check, --table, releases such as 22 or 22.12.0)`);
  if (flags.includes('--table')) {
    if (args.length > 1) throw new UsageError('--table takes no releases: it re-renders the stored results');
    writeFileSync(TABLE_FILE, renderTable(readRuns()));
    console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
    return 0;
  }
  const check = flags.includes('--check');
  const named = args.filter((a) => !a.startsWith('-'));
  const fromEnv = (process.env.MATRIX_NODES ?? '').split(/[\s,]+/).filter(Boolean);
  const given = named.length > 0 ? named : fromEnv;
  const targets: Target[] = given.length > 0 ? parseTargets(given) : defaultTargets();
  const committed = check ? readFileSync(TABLE_FILE, 'utf8') : '';

  console.log(`matrix: ${targets.map((t) => t.label).join(', ')}`);
  // Every target is resolved (and fetched) before anything runs: a bad one stops the matrix at once.
  const binaries = targets.map((t) => ({ target: t, bin: t.binary() }));
  if (given.length === 0) clearRuns(); // the default matrix is the whole table
  let failed = false;
  for (const { target, bin } of binaries) {
    let run = runSuite(bin, {}, [], target.runArgs);
    let bad = run.tests.some((t) => t.status === 'failed') || run.brokenSuites.length > 0;
    if (bad && target.runtime === 'node') {
      // One retry, said out loud: a release that fails twice fails the matrix; one that
      // passes the second time is reported as flaky, with what failed the first time.
      const first = run.tests.filter((t) => t.status === 'failed');
      run = runSuite(bin, {}, [], target.runArgs);
      bad = run.tests.some((t) => t.status === 'failed') || run.brokenSuites.length > 0;
      if (!bad) for (const t of first) console.log(`  ! FLAKY on ${target.label} (passed on a second run): ${t.file}: ${t.title}\n        ${t.message}`);
    }
    if (target.runtime === 'node') failed ||= bad; // another runtime's ❌ is a finding, not a failure
    console.log(`  ${bad ? '✗' : '✓'} ${target.label}: ${summary(run)} in ${run.seconds.toFixed(1)} s`);
    for (const t of run.tests.filter((t) => t.status === 'failed')) console.log(`      ✕ ${t.file}: ${t.title}\n        ${t.message}`);
    for (const s of run.brokenSuites) console.log(`      ✕ suite did not run: ${s}`);
    const results: TargetResults = { runtime: target.runtime, version: target.version, node: run.nodeVersion, tests: run.tests, broken: run.brokenSuites };
    writeFileSync(runFile(target), JSON.stringify(results, null, 1) + '\n');
  }
  const table = renderTable(readRuns());
  writeFileSync(TABLE_FILE, table);
  console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
  if (check && statusesOnly(table) !== statusesOnly(committed)) {
    console.log('✗ results/RESULTS.md differs from the committed table: run `npm run test:matrix` and commit it.');
    failed = true;
  }
  return failed ? 1 : 0;
}

process.chdir(ROOT);
try {
  process.exitCode = main();
} catch (error) {
  console.error(`test:matrix: ${error instanceof UsageError ? error.message : (error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
