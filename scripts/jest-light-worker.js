// @ts-check
/**
 * The worker side of the light runner (scripts/jest-light-runner.js): runs
 * one spec file at a time in this process's own realm, with Jest's own test
 * framework (jest-circus, through the same `initialize` and
 * `runAndTransformResultsToJestFormat` that Jest's default runner calls),
 * Jest's `expect` and Jest's transform cache — but without a new vm context
 * and a new module registry per file.
 *
 * What is shared between the spec files one worker runs, and what is not:
 *   - shared: Node's core modules (as under Jest's default runner, where they
 *     are shared too: http.globalAgent, fetch's global dispatcher), and the
 *     packages in node_modules (semver, get-port, supertest, Jest's own) —
 *     loaded once per worker instead of once per file, which is the point;
 *   - fresh per file: every module of this project (specs/, helpers/,
 *     fixtures/ …): they leave require's cache after each file, so module
 *     state and hooks a helper registers at load time start anew;
 *   - reset per file: jest-circus's state and event handlers, expect's state,
 *     the console, and every mock made with the `jest` object (restored).
 *
 * The `jest` object offers what a spec in a shared realm can honestly have:
 * fn, spyOn, replaceProperty, isMockFunction, mocked, the clear/reset/restore
 * calls and setTimeout. Module mocking, fake timers and isolateModules need
 * Jest's module registry: they throw here, naming KA_RUNNER=jest, which runs
 * the suite under Jest's default runner (and so does every copy of a spec in
 * another Jest project).
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

// In the main realm, Node's own source maps give TypeScript lines in stacks
// (Jest's default runner installs source-map-support per file instead).
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

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
/** @typedef {Awaited<ReturnType<typeof makeSetup>>} Setup */

/** @param {ProjectConfig} config */
async function makeSetup(config) {
  const { createScriptTransformer } = require('@jest/transform');
  const transformer = await createScriptTransformer(config);
  const rootDir = config.rootDir;
  const ownDir = `${rootDir}${path.sep}`;
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
  /** @param {string} filename @returns {string} */
  const transformed = (filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const known = outputs.get(filename);
    if (known?.source === source) return known.code;
    const { code } = transformer.transformSource(filename, source, TRANSFORM_OPTIONS);
    outputs.set(filename, { source, code });
    return code;
  };
  /** @param {NodeJS.Module & { _compile(code: string, filename: string): void }} module @param {string} filename */
  const compileTransformed = (module, filename) => module._compile(transformed(filename), filename);
  // @ts-expect-error: Module._extensions is Node's (undocumented, stable) loader table
  const extensions = /** @type {Record<string, Function>} */ (Module._extensions);
  const loadJs = extensions['.js'];
  // TypeScript (and any other extension a transform names) through the
  // transform; .js, .json, .node, .mjs and .cjs stay Node's own (.mjs being
  // an ES module, which Node loads itself where require(esm) exists).
  for (const ext of config.moduleFileExtensions.map((e) => `.${e}`)) {
    if (['.js', '.json', '.node', '.mjs', '.cjs'].includes(ext) || extensions[ext]) continue;
    if (patterns.some((p) => p.test(`x${ext}`))) extensions[ext] = compileTransformed;
  }
  // A .js file a transform pattern names (get-port, an ES module, compiled to
  // CommonJS by ts-jest exactly as under Jest's default runner).
  extensions['.js'] = function (/** @type {any} */ module, /** @type {string} */ filename) {
    if (transforms(filename)) return compileTransformed(module, filename);
    return loadJs.call(this, module, filename);
  };

  const circusInit = loadCircus();
  const { ModuleMocker } = require('jest-mock');
  const { BufferedConsole, NullConsole, CustomConsole, getConsoleOutput } = require('@jest/console');
  const { deepCyclicCopy } = require('jest-util');

  /** Modules of this project (not node_modules, not this runner), to be loaded afresh per file. */
  const forgetOwnModules = () => {
    for (const id of Object.keys(require.cache)) {
      if (id.startsWith(ownDir) && !id.includes(nodeModules) && !id.startsWith(__dirname)) delete require.cache[id];
    }
  };

  return { circusInit, ModuleMocker, BufferedConsole, NullConsole, CustomConsole, getConsoleOutput, deepCyclicCopy, forgetOwnModules };
}

const EVENT_HANDLERS = Symbol.for('EVENT_HANDLERS');
const WEBPACK_EXPORTS = 'module.exports = __webpack_exports__;';

/**
 * jest-circus's framework is one webpack bundle (build/jestAdapterInit.js)
 * with its own state — the describe tree, the hooks, the errors — kept under
 * a symbol of its own, and its own describe/it. Jest's default runner loads
 * it once per file into the file's context; loading it once per file here
 * cost 30 ms of CPU each (1.6 s per run). It is loaded once per worker, and
 * made to hand out its internal state module, whose own resetState() gives
 * each file a pristine jest-circus. Its event handlers live in one array on
 * the global object; each file's initialize() appends its own, which are cut
 * off again after the file.
 */
function loadCircus() {
  const file = path.join(path.dirname(require.resolve('jest-circus/package.json')), 'build', 'jestAdapterInit.js');
  const source = fs.readFileSync(file, 'utf8');
  if (source.split(WEBPACK_EXPORTS).length !== 2) throw new Error(`light runner: ${file} is not the webpack bundle it expects; run with KA_RUNNER=jest`);
  const bundle = new Module(file, /** @type {any} */ (module));
  bundle.filename = file;
  // @ts-expect-error: Module._nodeModulePaths is Node's (undocumented, stable) lookup path builder
  bundle.paths = Module._nodeModulePaths(path.dirname(file));
  /** @type {any} */ (bundle)._compile(source.replace(WEBPACK_EXPORTS, `${WEBPACK_EXPORTS}\nmodule.exports.__circusState = __webpack_require__('./src/state.ts');`), file);
  const exported = /** @type {any} */ (bundle.exports);
  const state = exported.__circusState;
  const handlers = /** @type {unknown[] | undefined} */ (/** @type {any} */ (globalThis)[EVENT_HANDLERS]);
  if (typeof state?.resetState !== 'function' || typeof exported.initialize !== 'function' || !Array.isArray(handlers)) {
    throw new Error(`light runner: ${file} keeps its state elsewhere in this version; run with KA_RUNNER=jest`);
  }
  const baseHandlers = handlers.length;
  return {
    initialize: exported.initialize,
    runAndTransformResultsToJestFormat: exported.runAndTransformResultsToJestFormat,
    /** A pristine jest-circus, as if just loaded. */
    reset() {
      state.resetState();
      handlers.length = baseHandlers;
    },
  };
}

const UNSUPPORTED = ['mock', 'unmock', 'doMock', 'dontMock', 'createMockFromModule', 'requireActual', 'requireMock', 'isolateModules', 'isolateModulesAsync', 'resetModules', 'useFakeTimers', 'useRealTimers', 'advanceTimersByTime', 'runAllTimers', 'runOnlyPendingTimers', 'setSystemTime', 'enableAutomock', 'disableAutomock'];

/** @param {import('jest-mock').ModuleMocker} mocker */
function makeJestObject(mocker) {
  /** @type {Record<string, unknown>} */
  const jestObject = {
    fn: mocker.fn.bind(mocker),
    spyOn: mocker.spyOn.bind(mocker),
    replaceProperty: mocker.replaceProperty.bind(mocker),
    isMockFunction: mocker.isMockFunction.bind(mocker),
    mocked: mocker.mocked.bind(mocker),
    clearAllMocks: () => (mocker.clearAllMocks(), jestObject),
    resetAllMocks: () => (mocker.resetAllMocks(), jestObject),
    restoreAllMocks: () => (mocker.restoreAllMocks(), jestObject),
    // Where Jest's own jest.setTimeout puts it for jest-circus to read.
    setTimeout: (/** @type {number} */ ms) => (((/** @type {any} */ (globalThis))[TEST_TIMEOUT] = ms), jestObject),
  };
  for (const name of UNSUPPORTED) {
    jestObject[name] = () => {
      throw new Error(`jest.${name}() needs Jest's module registry, which the light runner does not make; run this spec with KA_RUNNER=jest`);
    };
  }
  return jestObject;
}

const TEST_TIMEOUT = Symbol.for('TEST_TIMEOUT_SYMBOL');
const PROCESS_EVENTS = /** @type {const} */ (['uncaughtException', 'unhandledRejection', 'rejectionHandled']);

/**
 * Runs one spec file; resolves to Jest's TestResult, or rejects (the file did
 * not load) with the error, which Jest reports as the file's failure.
 * @param {{ path: string; config: ProjectConfig; globalConfig: GlobalConfig }} request
 * @returns {Promise<TestResult>}
 */
async function run({ path: testPath, config, globalConfig }) {
  setupPromise ??= makeSetup(config);
  const setup = await setupPromise;
  const start = Date.now();
  const g = /** @type {Record<string | symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  const keysBefore = new Set(Reflect.ownKeys(globalThis));
  const listenersBefore = PROCESS_EVENTS.map((event) => process.rawListeners(event));
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
  const mocker = new setup.ModuleMocker(globalThis);
  Error.stackTraceLimit = 100;
  /** @type {any} */
  let result;
  try {
    globalThis.console = /** @type {Console} */ (/** @type {unknown} */ (testConsole));
    g.jest = makeJestObject(mocker);
    for (const file of config.setupFiles) {
      const setupFile = require(file);
      if (typeof setupFile === 'function') await setupFile();
    }
    const { circusInit } = setup;
    circusInit.reset();
    await circusInit.initialize({
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
    require(testPath);
    result = await circusInit.runAndTransformResultsToJestFormat({ config, globalConfig, setupAfterEnvPerfStats: { setupAfterEnvStart: start, setupAfterEnvEnd: start }, testPath });
  } finally {
    // Back to this worker's own process listeners (jest-circus restores them
    // at its teardown; a file that did not load never got there), globals,
    // console and mocks; this project's modules leave require's cache.
    PROCESS_EVENTS.forEach((event, i) => {
      process.removeAllListeners(event);
      for (const listener of listenersBefore[i]) process.on(event, /** @type {(...args: any[]) => void} */ (listener));
    });
    mocker.restoreAllMocks();
    // Globals the file or jest-circus added go (describe, it, expect, the
    // bundle's own state symbol); registered symbols stay, as Node keeps its
    // own state under them (fetch's global dispatcher, which Jest's default
    // runner shares between files too).
    for (const key of Reflect.ownKeys(globalThis)) {
      if (!keysBefore.has(key) && (typeof key === 'string' || Symbol.keyFor(key) === undefined)) delete g[key];
    }
    delete g[TEST_TIMEOUT];
    setup.circusInit.reset();
    if (realJest === undefined) delete g.jest;
    else g.jest = realJest;
    globalThis.console = realConsole;
    setup.forgetOwnModules();
  }
  const end = Date.now();
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

module.exports = { run };
