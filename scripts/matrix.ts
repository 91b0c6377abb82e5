/**
 * npm run test:matrix [-- 18 22]       run the suite on each Node major, write the table
 * MATRIX_NODES="20 22" npm run test:matrix
 * npm run results:table                 re-render results/RESULTS.md from results/node-*.json
 * npm run test:matrix -- --check        run, and fail if the committed table differs
 *
 * Default majors: 18 20 22 24 26. Binaries come from the npm registry's `node`
 * package, cached in .cache/node/<major>. Majors run one after another so
 * the timing specs never compete with another suite for the two cores.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSuite, summary } from './jest-run';
import { majorsFrom, nodeBinary } from './node-binaries';
import { readResults, renderTable, RESULTS_DIR, TABLE_FILE, VERSIONS_LINE, type VersionResults } from './results-table';

function main(): number {
  const args = process.argv.slice(2);
  if (args.includes('--table')) {
    writeFileSync(TABLE_FILE, renderTable(readResults()));
    console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
    return 0;
  }
  const check = args.includes('--check');
  const majors = majorsFrom(args);
  const committed = check ? readFileSync(TABLE_FILE, 'utf8') : '';
  let failed = false;
  console.log(`matrix: Node ${majors.join(', ')}`);
  for (const major of majors) {
    const bin = nodeBinary(major);
    const run = runSuite(bin);
    const bad = run.tests.some((t) => t.status === 'failed') || run.brokenSuites.length > 0;
    failed ||= bad;
    console.log(`  ${bad ? '✗' : '✓'} node ${major} (${run.version}): ${summary(run)} in ${run.seconds.toFixed(1)} s`);
    for (const t of run.tests.filter((t) => t.status === 'failed')) console.log(`      ✕ ${t.file}: ${t.title}\n        ${t.message}`);
    for (const s of run.brokenSuites) console.log(`      ✕ suite did not run: ${s}`);
    const results: VersionResults = { major, version: run.version, tests: run.tests };
    writeFileSync(path.join(RESULTS_DIR, `node-${major}.json`), JSON.stringify(results, null, 1) + '\n');
  }
  const table = renderTable(readResults());
  writeFileSync(TABLE_FILE, table);
  console.log(`wrote ${path.relative(process.cwd(), TABLE_FILE)}`);
  if (check && table.replace(VERSIONS_LINE, '') !== committed.replace(VERSIONS_LINE, '')) {
    console.log('✗ results/RESULTS.md differs from the committed table: run `npm run test:matrix` and commit it.');
    failed = true;
  }
  return failed ? 1 : 0;
}

process.exitCode = main();
