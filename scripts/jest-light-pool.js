// @ts-check
/**
 * The light runner's worker processes (scripts/jest-light-runner.js): forked
 * children running scripts/jest-light-child.js, one spec file at a time each.
 *
 * They can be forked before Jest asks for them: scripts/jest.config.cjs calls
 * prestart() when `npm test` loads it for a whole-suite run, so that the workers boot and load
 * Jest's framework on the second core while Jest's own process is still
 * reading its configuration and finding the spec files (0.4–0.7 s of one
 * core's time on the 2-core machine). A prestarted child holds nothing
 * open: if Jest never runs tests (--listTests, --showConfig, a bad option),
 * Jest's process exits as it would, and the child follows when its parent
 * is gone.
 */
const { fork } = require('node:child_process');
const path = require('node:path');

const CHILD = path.join(__dirname, 'jest-light-child.js');
/** How long a child that was told to end may take to exit before it is killed (jest-worker's default). */
const GRACE_MS = 500;

/**
 * @typedef {import('node:child_process').ChildProcess} ChildProcess
 * @typedef {{ resolve(value: any): void; reject(error: Error): void }} Pending
 */

class Child {
  /** @param {number} id */
  constructor(id) {
    this.id = id;
    this.process = fork(CHILD, [], {
      env: { ...process.env, JEST_WORKER_ID: String(id) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    /** @type {Pending | undefined} */
    this.pending = undefined;
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
    this.process.on('message', (/** @type {any} */ message) => {
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      if (message.ok) pending.resolve(message.result);
      else pending.reject(Object.assign(new Error(message.error.message), message.error));
    });
    this.process.once('exit', (code, signal) => {
      const error = new Error(`the light runner's worker ${id} exited (${signal ?? `code ${code}`}) while it ran this spec file`);
      error.stack = error.message; // where the runner noticed says nothing about the spec
      this.pending?.reject(error);
      this.pending = undefined;
    });
    this.hold(false);
  }

  /** Whether this child keeps Jest's process alive: not until it is used. @param {boolean} on */
  hold(on) {
    const handles = [this.process, this.process.channel, this.process.stdout, this.process.stderr];
    for (const handle of handles) {
      const h = /** @type {any} */ (handle);
      if (h && typeof h.ref === 'function') on ? h.ref() : h.unref();
    }
  }

  /** @param {unknown} request @returns {Promise<any>} */
  run(request) {
    if (!this.process.connected) return Promise.reject(new Error(`the light runner's worker ${this.id} is not running (exit ${this.process.signalCode ?? this.process.exitCode})`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      // The environment as it is now, not as it was at the fork: the workers
      // are forked when the configuration loads, before reporters set theirs
      // (the course reporter's KA_EVIDENCE_DIR), and Jest gives each spec
      // file a fresh copy of it.
      this.process.send({ type: 'run', request, env: { ...process.env, JEST_WORKER_ID: String(this.id) } });
    });
  }

  /** Asks the child to end; kills it if it is still there after GRACE_MS. @returns {Promise<boolean>} whether it had to be killed */
  async end() {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return false;
    if (this.process.connected) this.process.send({ type: 'end' });
    let timer;
    const killed = await Promise.race([
      this.exited.then(() => false),
      new Promise((resolve) => (timer = setTimeout(() => resolve(true), GRACE_MS))),
    ]);
    clearTimeout(timer);
    if (killed) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
    return /** @type {boolean} */ (killed);
  }
}

/** @type {Child[]} */
let prestarted = [];

/** Forks `n` children now, for the next run to take. @param {number} n */
function prestart(n) {
  for (let i = prestarted.length; i < n; i++) prestarted.push(new Child(i + 1));
}

/**
 * `n` children for a run: the prestarted ones first (the rest of those end),
 * then new ones. Their output goes to Jest's.
 * @param {number} n @returns {Child[]}
 */
function take(n) {
  const children = prestarted.slice(0, n);
  const spare = prestarted.slice(n);
  prestarted = [];
  for (const child of spare) void child.end();
  for (let i = children.length; i < n; i++) children.push(new Child(i + 1));
  for (const child of children) use(child);
  return children;
}

/** Ends the prestarted children, for a run that needs none (in band, or under Jest's default runner). */
function discard() {
  for (const child of prestarted) child.process.kill();
  prestarted = [];
}

/** A new child in place of one that is gone. @param {Child} gone @returns {Child} */
function replace(gone) {
  return use(new Child(gone.id));
}

/** @param {Child} child */
function use(child) {
  child.hold(true);
  const { stdout, stderr } = child.process;
  stdout?.pipe(process.stdout);
  stderr?.pipe(process.stderr);
  // Jest's streams stay free of a dead child's listeners.
  child.process.once('close', () => {
    stdout?.unpipe(process.stdout);
    stderr?.unpipe(process.stderr);
  });
  return child;
}

module.exports = { prestart, take, replace, discard, Child };
