// @ts-check
/**
 * The suite's Jest configuration, in plain JavaScript. jest.config.ts
 * re-exports it (for `npx jest` and editors); `npm test` names this file
 * directly, so that Node releases without built-in TypeScript support (before
 * 22.18) need not load the TypeScript compiler to read the configuration —
 * about 1.1 s of the 2-core machine's time on every run.
 *
 * get-port is ESM-only (v6+). Jest runs specs as CommonJS here, so get-port's
 * single ESM file is let through ts-jest (allowJs) and compiled to CommonJS
 * like our own TypeScript. This works the same on every release from 18.14.0
 * to 26.x and needs no --experimental-vm-modules flag. Under Bun, whose
 * node:vm has SyntheticModule, Jest loads a .js file of a "type": "module"
 * package as an ES module; `useESM` makes ts-jest leave it one there
 * (CommonJS output failed with "exports is not defined", and the two spec
 * files that import get-port did not load).
 */

/**
 * Worker processes. The specs wait on sockets and timers (up to about 2 s
 * per file on Node 20) more than they use the CPU, so more files run at once than the
 * 2-core machine has cores. Medians of 5 `npm test` runs there with the
 * light runner, 2026-12-02, for 4 / 5 / 6 / 8 workers: Node 20.20.2 6.15 /
 * 5.57 / 5.33 / 5.38 s, Node 26.12.1 3.87 / 3.90 / 3.78 / 4.11 s.
 */
const WORKERS = 6;

/** @type {import('jest').Config} */
const config = {
  rootDir: require('node:path').join(__dirname, '..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/specs'],
  testMatch: ['**/*.spec.ts'],
  // The course reporter prints the rules in README's chapter order, with what
  // the server saw (scripts/course-reporter.js); Jest's summary reporter keeps
  // the totals and prints every failure in full.
  reporters: [['<rootDir>/scripts/course-reporter.js', { evidence: 'seed' }], ['summary', { summaryThreshold: 0 }]],
  // The light runner (scripts/jest-light-runner.js) on Node: each worker runs
  // its spec files in its own realm, loading Jest's framework and the
  // packages once, not once per file. KA_RUNNER=jest asks for Jest's default
  // runner (a fresh vm context and module registry per file, as in any other
  // Jest project), and Bun and Deno always get it: their columns in the
  // matrix were recorded under it.
  ...(useLightRunner() ? { runner: '<rootDir>/scripts/jest-light-runner.js' } : {}),
  maxWorkers: WORKERS,
  testTimeout: 10_000,
  // No spec uses Web Storage, and Jest's module mocker reads every global of
  // the test context when a file starts and ends. Under Deno, reading
  // `localStorage` opens an SQLite file in DENO_DIR keyed by the main module
  // (node_modules/jest/bin/jest.js): when two workers create it at the same
  // moment (a fresh clone, a fresh DENO_DIR) one of them throws "database is
  // locked" and its spec file does not run — a failure of Deno's storage, not
  // of keep-alive, and not the same from run to run. Shadowing both globals in
  // the test context keeps Jest from touching them (null, as undefined would
  // not survive the trip to the workers).
  testEnvironmentOptions: { localStorage: null, sessionStorage: null },
  // ts-jest, behind a wrapper that keys Jest's transform cache without loading
  // the TypeScript compiler in every worker (scripts/ts-jest-cached.js).
  transform: {
    '^.+\\.ts$': ['<rootDir>/scripts/ts-jest-cached.js', {}],
    '/node_modules/get-port/.+\\.js$': ['<rootDir>/scripts/ts-jest-cached.js', { tsconfig: { allowJs: true, isolatedModules: true }, useESM: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!get-port/)'],
};

/** @returns {boolean} */
function useLightRunner() {
  const choice = process.env.KA_RUNNER ?? 'light';
  if (choice !== 'light' && choice !== 'jest') {
    process.stderr.write(`KA_RUNNER must be light or jest (got "${choice}")\n`);
    process.exit(2);
  }
  return choice === 'light' && !process.versions.bun && !process.versions.deno;
}

/**
 * Whether this is `npm test` (or the matrix, stability or sensitivity runs)
 * starting Jest on this configuration, with nothing on the command line that
 * changes how many workers run: then the light runner's workers are forked
 * now, to boot while Jest is still finding the spec files
 * (scripts/jest-light-pool.js; a worker that is never used holds nothing open).
 * @returns {boolean}
 */
function startsTestRun() {
  const path = require('node:path');
  const main = require.main?.filename ?? '';
  if (!/[\\/]jest(-cli)?[\\/]bin[\\/]jest\.js$/.test(main) || process.env.JEST_WORKER_ID) return false;
  const args = process.argv.slice(2);
  if (!args.some((a) => a.endsWith(path.join('scripts', 'jest.config.cjs')))) return false;
  const changesWorkers = /^(-i|-w|-h|-v|--runInBand|--maxWorkers|--listTests|--showConfig|--watch|--watchAll|--clearCache|--help|--version|--init|--coverage|--collectCoverage|--collectTests)(=|$)/;
  if (args.some((a) => changesWorkers.test(a))) return false;
  // A path pattern (`npm test -- specs/global-agent`) may name one file, which
  // Jest runs in its own process: workers booting beside it would only slow it.
  const takesValue = /^(-c|-t|--config|--testNamePattern|--outputFile|--reporters|--seed|--shard|--testTimeout|--selectProjects|--testPathPatterns?)$/;
  return !args.some((a, i) => !a.startsWith('-') && !(i > 0 && takesValue.test(args[i - 1])));
}

if (useLightRunner() && startsTestRun()) require('./jest-light-pool.js').prestart(WORKERS);

module.exports = config;
