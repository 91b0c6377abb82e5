// @ts-check
/**
 * The light runner: a Jest runner (the `runner` option) that runs each spec
 * file in a worker process's own realm instead of a fresh vm context with a
 * fresh module registry (scripts/jest-light-worker.js says what is shared
 * and what is not). Everything else is Jest's: the test framework
 * (jest-circus), expect, the transform cache, source maps, the reporters,
 * --testNamePattern, the results. `npm test` uses it on Node; KA_RUNNER=jest,
 * Bun and Deno use Jest's default runner (scripts/jest.config.cjs).
 *
 * Why: on the 2-core machine most of `npm test`'s CPU was Jest's per-file
 * cost, not the specs' — each file loaded jest-circus, expect, jest-snapshot,
 * pretty-format, semver, get-port and the helpers anew into a new context
 * (54 files that only `expect(1).toBe(1)` took 3.5 s on Node 20; 1.5 s here).
 *
 * What it cannot honour — coverage, another test environment (in the config
 * or a file's @jest-environment docblock), clearMocks/resetMocks/
 * restoreMocks/resetModules, fake timers for every file, injectGlobals:
 * false, detectLeaks, logHeapUsage — sends the whole run to Jest's default
 * runner, with one line on stderr saying why.
 */
const { readFileSync } = require('node:fs');
const { take, replace, discard } = require('./jest-light-pool.js');

/**
 * Why this run needs Jest's default runner, or undefined.
 * @param {import('@jest/types').Config.GlobalConfig} globalConfig
 * @param {Array<{ path: string; context: { config: import('@jest/types').Config.ProjectConfig } }>} tests
 */
function unsupported(globalConfig, tests) {
  if (globalConfig.collectCoverage) return 'coverage';
  if (globalConfig.detectLeaks) return '--detectLeaks';
  if (globalConfig.logHeapUsage) return '--logHeapUsage';
  for (const { config } of new Set(tests.map((t) => t.context))) {
    if (!/[\\/]jest-environment-node[\\/]/.test(config.testEnvironment)) return `testEnvironment ${config.testEnvironment}`;
    for (const option of /** @type {const} */ (['clearMocks', 'resetMocks', 'restoreMocks', 'resetModules', 'detectLeaks'])) if (config[option]) return option;
    if (config.fakeTimers?.enableGlobally) return 'fakeTimers.enableGlobally';
    if (config.injectGlobals === false) return 'injectGlobals: false';
  }
  for (const test of tests) {
    // Jest reads pragmas from a file's first comment only, if it opens the file.
    const docblock = /^\s*(\/\*\*[\s\S]*?\*\/)/.exec(readFileSync(test.path, 'utf8'))?.[1] ?? '';
    if (/@jest-environment\b/.test(docblock)) return `the @jest-environment docblock of ${test.path}`;
  }
  return undefined;
}

class LightRunner {
  /** @param {import('@jest/types').Config.GlobalConfig} globalConfig @param {any} context */
  constructor(globalConfig, context) {
    this._globalConfig = globalConfig;
    this._context = context;
    this.isSerial = false;
  }

  /**
   * @param {Array<{ path: string; context: { config: import('@jest/types').Config.ProjectConfig } }>} tests
   * @param {{ isInterrupted(): boolean }} watcher
   * @param {(test: any) => Promise<void>} onStart
   * @param {(test: any, result: any) => Promise<void>} onResult
   * @param {(test: any, error: any) => Promise<void>} onFailure
   * @param {{ serial: boolean }} options
   */
  async runTests(tests, watcher, onStart, onResult, onFailure, options) {
    const globalConfig = this._globalConfig;
    const reason = unsupported(globalConfig, tests);
    if (reason) {
      discard();
      process.stderr.write(`light runner: ${reason} needs Jest's default runner, which runs this time\n`);
      const { default: TestRunner } = require('jest-runner');
      const runner = new TestRunner(globalConfig, this._context);
      const unsubscribe = [
        runner.on('test-file-start', ([test]) => onStart(test)),
        runner.on('test-file-success', ([test, result]) => onResult(test, result)),
        runner.on('test-file-failure', ([test, error]) => onFailure(test, error)),
      ];
      try {
        await runner.runTests(/** @type {any} */ (tests), /** @type {any} */ (watcher), options);
      } finally {
        for (const off of unsubscribe) off();
      }
      return;
    }
    /** @param {any} test @param {(request: any) => Promise<any>} run */
    const runOne = async (test, run) => {
      if (watcher.isInterrupted()) return;
      await onStart(test);
      // As Jest's runner: a reporter's error in onResult is not the file's failure.
      await run({ path: test.path, config: test.context.config, globalConfig }).then(
        (result) => onResult(test, result),
        (error) => onFailure(test, error),
      );
    };
    if (options.serial) {
      discard();
      process.env.JEST_WORKER_ID = '1';
      const { run } = require('./jest-light-worker.js');
      for (const test of tests) await runOne(test, run);
      return;
    }
    const children = take(Math.max(1, Math.min(globalConfig.maxWorkers, tests.length)));
    // Hand each worker one file at a time, longest first (Jest's order), so
    // that no worker holds a queue while another is idle.
    let next = 0;
    /** @param {import('./jest-light-pool.js').Child} child @param {number} i */
    const lane = async (child, i) => {
      while (next < tests.length) {
        // A worker that died (a spec called process.exit, or crashed it) is
        // replaced for the next file, as jest-worker replaces its own.
        if (!child.process.connected) children[i] = child = replace(child);
        await runOne(tests[next++], (request) => child.run(request));
      }
    };
    try {
      await Promise.all(children.map(lane));
    } finally {
      const killed = await Promise.all(children.map((child) => child.end()));
      if (killed.some(Boolean)) console.error('A light-runner worker did not exit by itself and was killed: a spec left a handle open.');
    }
  }
}

module.exports = LightRunner;
