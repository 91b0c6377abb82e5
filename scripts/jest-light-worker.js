// @ts-check
/**
 * The worker side of the light runner (scripts/jest-light-runner.js): runs
 * one spec file at a time in this process's own realm, with Jest's own test
 * framework (jest-circus, through the same `initialize` and
 * `runAndTransformResultsToJestFormat` that Jest's default runner calls),
 * Jest's `expect`, Jest's transform cache and Jest's source-map support —
 * but without a new vm context and a new module registry per file.
 *
 * What is shared between the spec files one worker runs, and what is not:
 *   - shared: Node's core modules (as under Jest's default runner, where they
 *     are shared too: http.globalAgent, fetch's global dispatcher), and the
 *     packages in node_modules (semver, get-port, supertest, Jest's own) —
 *     loaded once per worker instead of once per file, which is the point;
 *   - fresh per file: every module of this project (specs/, helpers/,
 *     fixtures/ …): they leave require's cache after each file, so module
 *     state and hooks a helper registers at load time start anew;
 *   - reset per file: jest-circus's state, event handlers and test context
 *     (an error a file's leftover timer throws later fails the file running
 *     then, as under Jest's default runner), expect's state and matchers, the
 *     console, the process's event listeners, globals a file added, and every
 *     mock made with the `jest` object (restored).
 *
 * The `jest` object offers what a spec in a shared realm can honestly have:
 * fn, spyOn, replaceProperty, isMockFunction, mocked, the clear/reset/restore
 * calls and setTimeout. Anything else (module mocking, fake timers,
 * isolateModules, retryTimes …) needs Jest's module registry and throws,
 * naming KA_RUNNER=jest, which runs the suite under Jest's default runner (as
 * every copy of a spec in another Jest project runs). The options the light
 * runner cannot honour send the whole run to Jest's default runner
 * (jest-light-runner.js says which).
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

/**
 * @typedef {import('@jest/types').Config.ProjectConfig} ProjectConfig
 * @typedef {import('@jest/types').Config.GlobalConfig} GlobalConfig
 * @typedef {import('@jest/test-result').TestResult} TestResult
 */

const TRANSFORM_OPTIONS = {
  instrument: false,
  supportsDynamicImport: false,
  supportsExportNamespaceFrom: false,
  supportsStaticESM: false,
  supportsTopLevelAwait: false,
};

/** @type {Promise<Setup> | undefined} */
let setupPromise;

/** @type {ReturnType<typeof loadModules> | undefined} */
let modules;
/** What every spec file needs, whatever the configuration: Jest's framework, expect, mocks, console. */
function loadModules() {
  return {
    circusInit: loadCircus(),
    createScriptTransformer: require('@jest/transform').createScriptTransformer,
    SourceMapSupport: require('@jest/source-map').SourceMapSupport,
    ModuleMocker: require('jest-mock').ModuleMocker,
    console: require('@jest/console'),
    util: require('jest-util'),
    formatExecError: require('jest-message-util').formatExecError,
    jestExpect: require('@jest/expect').jestExpect,
  };
}
/** Loads them now (a prestarted worker, before its first file). */
function preload() {
  modules ??= loadModules();
}
/** @typedef {Awaited<ReturnType<typeof makeSetup>>} Setup */

/** @param {ProjectConfig} config */
async function makeSetup(config) {
  preload();
  const m = /** @type {ReturnType<typeof loadModules>} */ (modules);
  const transformer = await m.createScriptTransformer(config);
  const ownDir = `${config.rootDir}${path.sep}`;
  const nodeModules = `${path.sep}node_modules${path.sep}`;
  const patterns = config.transform.map(([pattern]) => new RegExp(pattern));
  const ignored = config.transformIgnorePatterns.map((pattern) => new RegExp(pattern));
  /** @param {string} filename */
  const transforms = (filename) => patterns.some((p) => p.test(filename)) && !ignored.some((p) => p.test(filename));

  // Jest's transform cache costs a hash of the source and of the whole
  // configuration, a file read and a checksum per module; the helpers are
  // loaded afresh by every spec file, so the output is kept per worker too,
  // for as long as the source is the same.
  /** @type {Map<string, { source: string; code: string }>} */
  const outputs = new Map();
  /** Where each transformed file's source map is (Jest's transform cache writes one beside the code). */
  /** @type {Map<string, string>} */
  const sourceMaps = new Map();
  /** @param {string} filename @returns {string} */
  const transformed = (filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const known = outputs.get(filename);
    if (known?.source === source) return known.code;
    const { code, sourceMapPath } = transformer.transformSource(filename, source, TRANSFORM_OPTIONS);
    outputs.set(filename, { source, code });
    if (sourceMapPath) sourceMaps.set(filename, sourceMapPath);
    return code;
  };
  // Stacks show TypeScript lines through Jest's own source-map support, which
  // reads a map only when a stack is formatted, as under Jest's default runner.
  new m.SourceMapSupport().install(sourceMaps);

  /** @param {NodeJS.Module & { _compile(code: string, filename: string): void }} module @param {string} filename */
  const compileTransformed = (module, filename) => module._compile(transformed(filename), filename);
  // @ts-expect-error: Module._extensions is Node's (undocumented, stable) loader table
  const extensions = /** @type {Record<string, Function>} */ (Module._extensions);
  const loadJs = extensions['.js'];
  // TypeScript (and any other extension a transform names) through the
  // transform — also where Node has a loader of its own for it (.ts, since
  // 22.18 and 23.6, strips types but does not resolve '../helpers/server');
  // .js, .json, .node, .mjs and .cjs stay Node's own (.mjs being an ES
  // module, which Node loads itself where require(esm) exists).
  for (const ext of config.moduleFileExtensions.map((e) => `.${e}`)) {
    if (['.js', '.json', '.node', '.mjs', '.cjs'].includes(ext)) continue;
    if (!patterns.some((p) => p.test(`x${ext}`))) continue;
    // A file transformIgnorePatterns names (a .ts file under node_modules, by
    // default) is not transformed, as under Jest's default runner: Node's own
    // loader for the extension, if it has one, or the .js loader gets it.
    const own = extensions[ext] ?? loadJs;
    extensions[ext] = function (/** @type {any} */ module, /** @type {string} */ filename) {
      if (ignored.some((p) => p.test(filename))) return own.call(this, module, filename);
      return compileTransformed(module, filename);
    };
  }
  // A .js file a transform pattern names (get-port, an ES module, compiled to
  // CommonJS by ts-jest exactly as under Jest's default runner).
  extensions['.js'] = function (/** @type {any} */ module, /** @type {string} */ filename) {
    if (transforms(filename)) return compileTransformed(module, filename);
    return loadJs.call(this, module, filename);
  };

  const { circusInit, ModuleMocker, formatExecError, jestExpect } = m;
  const { BufferedConsole, NullConsole, CustomConsole, getConsoleOutput } = m.console;
  const { deepCyclicCopy, ErrorWithStack } = m.util;

  /** Modules of this project (not node_modules, not this runner), to be loaded afresh per file. */
  const forgetOwnModules = () => {
    for (const id of Object.keys(require.cache)) {
      if (id.startsWith(ownDir) && !id.includes(nodeModules) && !id.startsWith(__dirname)) delete require.cache[id];
    }
  };

  return { circusInit, ModuleMocker, BufferedConsole, NullConsole, CustomConsole, getConsoleOutput, deepCyclicCopy, ErrorWithStack, formatExecError, jestExpect, forgetOwnModules };
}

const EVENT_HANDLERS = Symbol.for('EVENT_HANDLERS');
const WEBPACK_EXPORTS = 'module.exports = __webpack_exports__;';
const TEST_CONTEXT = 'const testExecutionContext = new _nodeAsync_hooks.AsyncLocalStorage();\nlet activeDescribeRetryAttempts = 0;';

/**
 * jest-circus's framework is one webpack bundle (build/jestAdapterInit.js)
 * with its own state — the describe tree, the hooks, the errors — kept under
 * a symbol of its own, its own describe/it, and an AsyncLocalStorage that
 * tells which test an error belongs to. Jest's default runner loads it once
 * per file into the file's context; loading it once per file here cost 30 ms
 * of CPU each (1.6 s per run). It is loaded once per worker, patched in two
 * places to hand out its internal state module and to make its test context
 * renewable: reset() then gives each file a pristine jest-circus (a timer a
 * finished file left behind runs outside any test of the next file, whose
 * error it then becomes — what Jest's default runner does too). Its event
 * handlers live in one array on the global object; each file's initialize()
 * appends its own, which are cut off again. Both patches check that the text
 * they replace is there exactly once, and fail loudly otherwise.
 */
function loadCircus() {
  const file = path.join(path.dirname(require.resolve('jest-circus/package.json')), 'build', 'jestAdapterInit.js');
  const source = fs.readFileSync(file, 'utf8');
  const unexpected = () => new Error(`light runner: ${file} is not the jest-circus bundle it knows (jest-circus 30.5); run with KA_RUNNER=jest`);
  if (source.split(WEBPACK_EXPORTS).length !== 2 || source.split(TEST_CONTEXT).length !== 2) throw unexpected();
  const patched = source
    .replace(
      TEST_CONTEXT,
      'let testExecutionContext = new _nodeAsync_hooks.AsyncLocalStorage();\nlet activeDescribeRetryAttempts = 0;\n' +
        'exports.__renew = () => { testExecutionContext.disable(); testExecutionContext = new _nodeAsync_hooks.AsyncLocalStorage(); activeDescribeRetryAttempts = 0; };',
    )
    .replace(
      WEBPACK_EXPORTS,
      `${WEBPACK_EXPORTS}\nmodule.exports.__circusState = __webpack_require__('./src/state.ts');\nmodule.exports.__testContext = __webpack_require__('./src/testExecutionContext.ts');`,
    );
  const bundle = new Module(file, /** @type {any} */ (module));
  bundle.filename = file;
  // @ts-expect-error: Module._nodeModulePaths is Node's (undocumented, stable) lookup path builder
  bundle.paths = Module._nodeModulePaths(path.dirname(file));
  /** @type {any} */ (bundle)._compile(patched, file);
  const exported = /** @type {any} */ (bundle.exports);
  const state = exported.__circusState;
  const testContext = exported.__testContext;
  const handlers = /** @type {unknown[] | undefined} */ (/** @type {any} */ (globalThis)[EVENT_HANDLERS]);
  if (typeof state?.resetState !== 'function' || typeof testContext?.__renew !== 'function' || typeof exported.initialize !== 'function' || !Array.isArray(handlers)) throw unexpected();
  const baseHandlers = handlers.length;
  return {
    initialize: exported.initialize,
    runAndTransformResultsToJestFormat: exported.runAndTransformResultsToJestFormat,
    collectTestsWithoutRunning: exported.collectTestsWithoutRunning,
    /** A pristine jest-circus, as if just loaded. */
    reset() {
      state.resetState();
      testContext.__renew();
      handlers.length = baseHandlers;
    },
  };
}

const SUPPORTED = new Set(['fn', 'spyOn', 'replaceProperty', 'isMockFunction', 'mocked', 'clearAllMocks', 'resetAllMocks', 'restoreAllMocks', 'setTimeout']);

/** @param {import('jest-mock').ModuleMocker} mocker */
function makeJestObject(mocker) {
  /** @type {Record<string, unknown>} */
  const jestObject = {
    fn: mocker.fn.bind(mocker),
    spyOn: mocker.spyOn.bind(mocker),
    replaceProperty: mocker.replaceProperty.bind(mocker),
    isMockFunction: mocker.isMockFunction.bind(mocker),
    mocked: mocker.mocked.bind(mocker),
    clearAllMocks: () => (mocker.clearAllMocks(), proxy),
    resetAllMocks: () => (mocker.resetAllMocks(), proxy),
    restoreAllMocks: () => (mocker.restoreAllMocks(), proxy),
    // Where Jest's own jest.setTimeout puts it for jest-circus to read.
    setTimeout: (/** @type {number} */ ms) => (((/** @type {any} */ (globalThis))[TEST_TIMEOUT] = ms), proxy),
  };
  const proxy = new Proxy(jestObject, {
    get(target, name) {
      if (typeof name !== 'string' || SUPPORTED.has(name)) return target[/** @type {string} */ (name)];
      return () => {
        throw new Error(`jest.${name}() needs Jest's module registry, which the light runner does not make; run this spec with KA_RUNNER=jest`);
      };
    },
  });
  return proxy;
}

const TEST_TIMEOUT = Symbol.for('TEST_TIMEOUT_SYMBOL');
const MATCHERS = Symbol.for('$$jest-matchers-object');

/** The process's listeners, per event, to put back after a file. */
function processListeners() {
  return new Map(process.eventNames().map((event) => [event, process.rawListeners(event)]));
}

/** @param {Map<string | symbol, Function[]>} saved */
function restoreProcessListeners(saved) {
  for (const event of new Set([...process.eventNames(), ...saved.keys()])) {
    const before = saved.get(event) ?? [];
    const now = process.rawListeners(event);
    if (now.length === before.length && now.every((listener, i) => listener === before[i])) continue;
    process.removeAllListeners(event);
    for (const listener of before) process.on(event, /** @type {(...args: any[]) => void} */ (listener));
  }
}

/**
 * As Jest's runner does after a test file: snapshots written, checked and
 * counted (jest-circus/build/runner.js, _addSnapshotData).
 * @param {any} results @param {any} snapshotState
 */
function addSnapshotData(results, snapshotState) {
  for (const { fullName, status, failing } of results.testResults) {
    if (status === 'pending' || status === 'failed' || (failing && status === 'passed')) snapshotState.markSnapshotsAsCheckedForTest(fullName);
  }
  const uncheckedCount = snapshotState.getUncheckedCount();
  const uncheckedKeys = snapshotState.getUncheckedKeys();
  if (uncheckedCount) snapshotState.removeUncheckedKeys();
  const status = snapshotState.save();
  results.snapshot.fileDeleted = status.deleted;
  results.snapshot.added = snapshotState.added;
  results.snapshot.matched = snapshotState.matched;
  results.snapshot.unmatched = snapshotState.unmatched;
  results.snapshot.updated = snapshotState.updated;
  results.snapshot.unchecked = status.deleted ? 0 : uncheckedCount;
  results.snapshot.uncheckedKeys = [...uncheckedKeys];
}

/**
 * Runs one spec file; resolves to Jest's TestResult, or rejects (the file did
 * not load) with the error, which Jest reports as the file's failure.
 * @param {{ path: string; config: ProjectConfig; globalConfig: GlobalConfig }} request
 * @returns {Promise<TestResult>}
 */
async function run({ path: testPath, config, globalConfig }) {
  setupPromise ??= makeSetup(config);
  const setup = await setupPromise;
  const { circusInit } = setup;
  const start = Date.now();
  const g = /** @type {Record<string | symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  const keysBefore = new Set(Reflect.ownKeys(globalThis));
  const listenersBefore = processListeners();
  const matchers = /** @type {any} */ (globalThis)[MATCHERS];
  const matchersBefore = matchers && { matchers: { ...matchers.matchers }, testers: [...(matchers.customEqualityTesters ?? [])] };
  // expect.extend also puts each matcher's asymmetric form on expect and expect.not.
  const { jestExpect } = setup;
  const expectObjects = /** @type {Record<string | symbol, unknown>[]} */ ([jestExpect, jestExpect.not]);
  const expectKeys = expectObjects.map((object) => new Set(Reflect.ownKeys(object)));
  const consoleOut = globalConfig.useStderr ? process.stderr : process.stdout;
  /** @param {any} type @param {string} message */
  const formatter = (type, message) => setup.getConsoleOutput(setup.BufferedConsole.write([], type, message, 4), config, globalConfig);
  const testConsole = (config.silent ?? globalConfig.silent)
    ? new setup.NullConsole(consoleOut, consoleOut, formatter)
    : (config.verbose ?? globalConfig.verbose)
      ? new setup.CustomConsole(consoleOut, consoleOut, formatter)
      : new setup.BufferedConsole();
  const realConsole = globalThis.console;
  const realJest = g.jest;
  const realExit = process.exit;
  const mocker = new setup.ModuleMocker(globalThis);
  Error.stackTraceLimit = 100;
  /** @type {any} */
  let result;
  try {
    globalThis.console = /** @type {Console} */ (/** @type {unknown} */ (testConsole));
    g.jest = makeJestObject(mocker);
    // As Jest's runner: process.exit() in a spec says where it was called.
    process.exit = /** @type {typeof process.exit} */ (function exit(/** @type {any[]} */ ...args) {
      const error = new setup.ErrorWithStack(`process.exit called with "${args.join(', ')}"`, exit);
      process.stderr.write(setup.formatExecError(error, config, { noStackTrace: false }, undefined, true));
      return realExit(...args);
    });
    // As Jest's runner: setupFiles before the test framework, setupFilesAfterEnv after it.
    for (const file of config.setupFiles) {
      const setupFile = require(file);
      if (typeof setupFile === 'function') await setupFile();
    }
    circusInit.reset();
    const { snapshotState } = await circusInit.initialize({
      config: { ...config, injectGlobals: true },
      environment: { global: globalThis },
      globalConfig,
      localRequire: require,
      parentProcess: process,
      runtime: { enterTestCode() {}, leaveTestCode() {} },
      sendMessageToJest: undefined,
      setGlobalsForRuntime: () => {},
      testPath,
    });
    for (const file of config.setupFilesAfterEnv) {
      const setupFile = require(file);
      if (typeof setupFile === 'function') await setupFile();
    }
    // From a fresh macrotask, settled through callbacks: the stacks of the
    // spec's errors then end in the spec, as under Jest's default runner, not
    // in this runner's frames.
    result = await new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          require(testPath);
          const done = globalConfig.collectTests
            ? circusInit.collectTestsWithoutRunning({ config, testPath })
            : circusInit.runAndTransformResultsToJestFormat({ config, globalConfig, setupAfterEnvPerfStats: { setupAfterEnvStart: start, setupAfterEnvEnd: start }, testPath });
          done.then(
            (/** @type {any} */ value) => resolve(value),
            (/** @type {unknown} */ error) => reject(error),
          );
        } catch (error) {
          reject(error);
        }
      }),
    );
    if (!globalConfig.collectTests) addSnapshotData(result, snapshotState);
  } finally {
    // Back to this worker's own process listeners (jest-circus restores the
    // error handlers at its teardown; a file that did not load never got
    // there; a file may have added others), globals, console, mocks and
    // matchers; this project's modules leave require's cache.
    restoreProcessListeners(listenersBefore);
    process.exit = realExit;
    mocker.restoreAllMocks();
    if (matchersBefore) {
      for (const name of Object.keys(matchers.matchers)) if (!(name in matchersBefore.matchers)) delete matchers.matchers[name];
      Object.assign(matchers.matchers, matchersBefore.matchers);
      if (Array.isArray(matchers.customEqualityTesters)) matchers.customEqualityTesters.splice(0, Infinity, ...matchersBefore.testers);
    }
    expectObjects.forEach((object, i) => {
      for (const key of Reflect.ownKeys(object)) if (!expectKeys[i].has(key)) delete object[key];
    });
    // Globals the file or jest-circus added go (describe, it, expect);
    // registered symbols stay, as Node keeps its own state under them
    // (fetch's global dispatcher, which Jest's default runner shares between
    // files too).
    for (const key of Reflect.ownKeys(globalThis)) {
      if (!keysBefore.has(key) && (typeof key === 'string' || Symbol.keyFor(key) === undefined)) delete g[key];
    }
    delete g[TEST_TIMEOUT];
    circusInit.reset();
    if (realJest === undefined) delete g.jest;
    else g.jest = realJest;
    globalThis.console = realConsole;
    setup.forgetOwnModules();
  }
  const end = Date.now();
  if (globalConfig.collectTests) return setup.deepCyclicCopy(result, { keepPrototype: false });
  const testCount = result.numPassingTests + result.numFailingTests + result.numPendingTests + result.numTodoTests;
  result.perfStats = { ...result.perfStats, start, end, runtime: end - start, slow: (end - start) / 1000 > config.slowTestThreshold, loadTestEnvironmentStart: start, loadTestEnvironmentEnd: start, setupFilesStart: start, setupFilesEnd: start };
  result.testFilePath = testPath;
  result.console = testConsole instanceof setup.BufferedConsole ? testConsole.getBuffer() : undefined;
  result.skipped = testCount === result.numPendingTests;
  result.displayName = config.displayName;
  result.leaks = false;
  // As Jest's runner: let console output drain before the result goes back.
  await new Promise((resolve) => setImmediate(resolve));
  return setup.deepCyclicCopy(result, { keepPrototype: false });
}

module.exports = { run, preload };
