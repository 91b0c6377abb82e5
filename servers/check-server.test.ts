/**
 * `npm run check:server` against servers of known settings: it must report
 * the idle timeout they really have (keepAliveTimeout + the release's buffer,
 * measured), in one run per module, and refuse a module that exports no
 * server in one line with exit 2. Not a rule of the table: a test of the
 * command (run with the lane, servers/jest.config.cjs).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lookup } from 'node:dns/promises';
import { TIMER_EARLY_MS, TIMER_LATE_MS } from '../helpers/wait';
import { bufferMs } from './lane';

const ROOT = path.join(__dirname, '..');
const TS_NODE = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');

function checkServer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TS_NODE, '--transpile-only', path.join(__dirname, 'check-server.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** "idle timeout: 2.5 s (measured)" → 2500. */
function measuredIdle(stdout: string): number | undefined {
  const m = /idle timeout: (\d+\.\d) s \(measured\)/.exec(stdout);
  return m ? Number(m[1]) * 1000 : undefined;
}

const near = (ms: number | undefined, expected: number) => {
  expect(ms).toBeGreaterThanOrEqual(expected - TIMER_EARLY_MS - 50); // printed to 0.1 s
  expect(ms).toBeLessThan(expected + TIMER_LATE_MS);
};

describe('check:server reports the idle timeout a server really has', () => {
  const fixture = (name: string) => path.join('servers', 'fixtures', name);
  let runs: Array<{ code: number; stdout: string; stderr: string }>;
  beforeAll(async () => {
    runs = await Promise.all([
      checkServer(fixture('node-server.js'), '--wait', '5'),
      checkServer(fixture('fastify-factory.ts'), '--wait', '5'),
      checkServer(fixture('express-app.ts'), '--wait', '9'),
      checkServer(fixture('fastify-factory.ts'), '--wait', '1'),
      checkServer(fixture('not-a-server.js')),
    ]);
  }, 90_000);


  it('a Node http.Server with keepAliveTimeout 1500: 1.5 s + the buffer, measured; shorter than every proxy listed', () => {
    expect(runs[0]!.code).toBe(0);
    near(measuredIdle(runs[0]!.stdout), 1_500 + bufferMs());
    expect(runs[0]!.stdout.match(/: SHORTER: /g)).toHaveLength(5);
  });

  it('an async factory returning Fastify({ keepAliveTimeout: 2000 }): 2 s + the buffer, measured', () => {
    expect(runs[1]!.code).toBe(0);
    expect(runs[1]!.stdout).toContain('Fastify instance');
    near(measuredIdle(runs[1]!.stdout), 2_000 + bufferMs());
  });

  it("an Express app (a request listener) with Node's defaults: 5 s + the buffer, measured", () => {
    expect(runs[2]!.code).toBe(0);
    expect(runs[2]!.stdout).toContain('request listener');
    near(measuredIdle(runs[2]!.stdout), 5_000 + bufferMs());
  });

  it('counter-case: with --wait shorter than its idle timeout it reports a lower bound, never a measured value', () => {
    expect(runs[3]!.code).toBe(0);
    expect(measuredIdle(runs[3]!.stdout)).toBeUndefined();
    expect(runs[3]!.stdout).toMatch(/idle timeout: ≥ 1\.0 s \(measured: still open at the bound\), advertises timeout=2/);
    expect(runs[3]!.stdout).toMatch(/vs AWS ALB .*: not decided by the measurement/);
  });

  it('a module that exports no server: one line on stderr, exit 2, nothing run', () => {
    expect(runs[4]!.code).toBe(2);
    expect(runs[4]!.stdout).toBe('');
    expect(runs[4]!.stderr.trim().split('\n')).toHaveLength(1);
    expect(runs[4]!.stderr).toMatch(/^check:server: .*not-a-server\.js exports an object \(port\): expected an http\.Server/);
  });
});

describe('check:server refuses a module it cannot check: one line on stderr naming what is wrong, exit 2, nothing run', () => {
  let dir: string;
  let runs: Array<{ code: number; stdout: string; stderr: string }>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ka-check-server-'));
    writeFileSync(path.join(dir, 'syntax-error.js'), 'module.exports = {{ ;\n');
    writeFileSync(path.join(dir, 'a-number.js'), 'module.exports = 42;\n');
    runs = await Promise.all([
      checkServer(path.join(dir, 'syntax-error.js')),
      checkServer(path.join(dir, 'a-number.js')),
      checkServer(path.join(dir, 'missing.js')),
    ]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (run: { code: number; stdout: string; stderr: string }, says: RegExp) => {
    expect({ code: run.code, stdout: run.stdout, lines: run.stderr.trim().split('\n').length }).toEqual({ code: 2, stdout: '', lines: 1 });
    expect(run.stderr).toMatch(says);
  };

  it('a syntax error: the compiler\'s diagnostic with its line and column, not its heading', () => {
    refused(runs[0]!, /^check:server: .*syntax-error\.js did not load: .*syntax-error\.js\(1,\d+\): error TS\d+: /);
  });

  it('a module exporting a number: says so', () => {
    refused(runs[1]!, /^check:server: .*a-number\.js exports a number: expected an http\.Server/);
  });

  it('a file that does not exist: names the path', () => {
    refused(runs[2]!, /^check:server: no such module: .*missing\.js$/m);
  });
});

describe('check:server checks a server the module already started where it listens', () => {
  let dir: string;
  let run: { code: number; stdout: string; stderr: string };
  let family: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ka-check-server-'));
    // listen(0, 'localhost') binds only after a DNS lookup: check:server must wait for it, not bind the server elsewhere.
    writeFileSync(
      path.join(dir, 'listens-on-localhost.js'),
      "const http = require('node:http');\nconst server = http.createServer((req, res) => res.end('ok'));\nserver.keepAliveTimeout = 1000;\nserver.listen(0, 'localhost');\nmodule.exports = server;\n",
    );
    family = (await lookup('localhost')).family;
    run = await checkServer(path.join(dir, 'listens-on-localhost.js'), '--wait', '4');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a module that called listen(0, 'localhost'): checked on the port it chose, after the lookup; its idle timeout 1 s + the buffer, measured", () => {
    if (family === 6) {
      // localhost is ::1 first on this machine: not reachable on 127.0.0.1, refused in one line.
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toMatch(/^check:server: .*already listens on ::1:\d+, which is not reachable on 127\.0\.0\.1/);
      return;
    }
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/http\.Server \(already listening, reached on 127\.0\.0\.1:(\d+)\), listening on 127\.0\.0\.1:\1,/);
    near(measuredIdle(run.stdout), 1_000 + bufferMs());
  });
});
