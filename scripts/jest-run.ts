/**
 * Run the suite once under a given Node binary and reduce Jest's JSON report
 * to what the results table needs: per test, its file, title and outcome.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export type Status = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  /** Spec file, relative to the project root. */
  file: string;
  /** describe › it */
  title: string;
  status: Status;
  /** First line of the failure, for failed tests. */
  message?: string;
}

export interface RunResult {
  /** What the runtime printed for `--version`. */
  version: string;
  /** The Node release the runtime reports (`process.versions.node`). */
  nodeVersion: string;
  tests: TestOutcome[];
  /** Suites that failed to run at all (syntax error, crash). */
  brokenSuites: string[];
  seconds: number;
}

interface JestAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages: string[];
}
interface JestReport {
  testResults: Array<{ name: string; status: string; message: string; assertionResults: JestAssertion[] }>;
}

/** The first meaningful line of a Jest failure message, without colour codes. */
export function firstLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
  // Jest heads a suite that did not run with "● Test suite failed to run": the reason is the next line.
  const line = plain.split('\n').map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith('● Test suite failed to run')) ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * Run Jest under `nodeBin` (node, or bun/deno with `runArgs` such as
 * `run -A`) with `env` added; returns the reduced outcome. `jestArgs` narrows
 * the run (e.g. a spec path).
 */
export function runSuite(nodeBin: string, env: NodeJS.ProcessEnv = {}, jestArgs: string[] = [], runArgs: string[] = []): RunResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'ka-specs-'));
  const outputFile = path.join(dir, 'report.json');
  const started = Date.now();
  try {
    const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
    const run = spawnSync(nodeBin, [...runArgs, ...(path.basename(nodeBin) === 'node' ? ['--require', path.join(ROOT, 'scripts', 'jest-compat.js')] : []), jest, '--config', path.join(ROOT, 'scripts', 'jest.config.cjs'), '--ci', '--silent', '--json', `--outputFile=${outputFile}`, ...jestArgs], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`, ...env },
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const nodeVersion = spawnSync(nodeBin, [...runArgs, path.join(ROOT, 'scripts', 'print-node-version.js')], { encoding: 'utf8' }).stdout.trim();
    let report: JestReport;
    try {
      report = JSON.parse(readFileSync(outputFile, 'utf8')) as JestReport;
    } catch {
      throw new Error(`Jest under ${version} wrote no report (exit ${run.status ?? run.signal}${run.error ? `, ${run.error.message}` : ''}): ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    }
    const tests: TestOutcome[] = [];
    const brokenSuites: string[] = [];
    for (const suite of report.testResults) {
      const file = path.relative(ROOT, suite.name);
      if (suite.assertionResults.length === 0 && suite.status === 'failed') brokenSuites.push(`${file}: ${firstLine(suite.message)}`);
      for (const a of suite.assertionResults) {
        const status: Status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
        const outcome: TestOutcome = { file, title: [...a.ancestorTitles, a.title].join(' › '), status };
        if (status === 'failed') outcome.message = firstLine(a.failureMessages.join('\n'));
        tests.push(outcome);
      }
    }
    tests.sort((x, y) => x.file.localeCompare(y.file) || 0);
    return { version, nodeVersion, tests, brokenSuites, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function summary(result: RunResult): string {
  const count = (s: Status) => result.tests.filter((t) => t.status === s).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} not applicable`;
}
