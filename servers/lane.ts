/**
 * The servers lane's plumbing: findings.json read and checked, the idle
 * deadline a server has on the running Node release, and one test per server
 * whose measurement was taken up front, all servers at once (the waits are
 * the rules' own — seconds — and run side by side, not one after another).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as http from 'node:http';
import type { Server } from 'node:http';
import { idleCloseMs } from '../helpers/node-server';
import { ADAPTERS, type Adapter } from './adapters';
import { measureRequestsPerConnection, type Close } from './measure';

export interface Findings {
  servers: Record<string, { label: string; stop: string }>;
  rules: Record<string, Record<string, Record<string, unknown> & { finding: string; versions: string }>>;
}

export const FINDINGS: Findings = JSON.parse(readFileSync(path.join(__dirname, 'findings.json'), 'utf8')) as Findings;

/** This rule's finding for one server (throws, naming both, if the data has none). */
export function findingOf<T>(rule: string, id: string): T & { finding: string; versions: string } {
  const cell = FINDINGS.rules[rule]?.[id];
  if (!cell) throw new Error(`servers/findings.json has no "${rule}" finding for "${id}"`);
  return cell as unknown as T & { finding: string; versions: string };
}

/** The keepAliveTimeout a server is recorded with (server-idle-close). */
export function recordedKeepAliveTimeout(id: string): number {
  return findingOf<{ keepAliveTimeoutMs: number }>('server-idle-close', id).keepAliveTimeoutMs;
}

/**
 * How long after keepAliveTimeout a Node server on the running release closes
 * an idle connection (helpers/node-server.ts): its keepAliveTimeoutBuffer
 * where that is an option, else the release's fixed 1 s or nothing.
 */
export function bufferMs(server: Server = http.createServer()): number {
  return idleCloseMs({ keepAliveTimeout: 0, keepAliveTimeoutBuffer: server.keepAliveTimeoutBuffer } as Server);
}

/** When a server with this keepAliveTimeout closes an idle connection on the running release. */
export function deadlineMs(keepAliveTimeout: number, server?: Server): number {
  return keepAliveTimeout + bufferMs(server);
}

/** The idle deadline of Node's defaults (5 s) on this release: when the 5 s servers close. */
export const DEFAULT_DEADLINE_MS = deadlineMs(5_000);

/** "FIN", "RST (ECONNRESET)". */
export function closeWords(close: Pick<Close, 'how' | 'code'> | undefined): string {
  if (!close) return 'still open';
  return close.how === 'RST' ? `RST (${close.code ?? 'reset'})` : 'FIN';
}

/** Time for loading the frameworks under load, on top of a rule's own bound. */
const HOOK_SLACK_MS = 45_000;

/**
 * Load every framework and serve one request on each, one server at a time,
 * before any timing starts: a module load or a first-request compile in the
 * middle of a measurement makes the event loop's iteration long, and a timer
 * armed in it then looks early (helpers/wait.ts, TIMER_EARLY_MS).
 */
async function warmUp(): Promise<void> {
  for (const adapter of ADAPTERS) {
    const running = await adapter.start();
    await measureRequestsPerConnection(running.port, '/fast', 1);
    await running.kill();
  }
}

/**
 * One test per server for `rule`. `measure` runs for every server at once in
 * beforeAll (bounded by `measureMs`); each test then checks its own server's
 * measurement with `check`, against its finding. A server whose measurement
 * threw fails its own test with that error. The hook's own timeout adds
 * HOOK_SLACK_MS to the measurement's bound: loading eight frameworks in a
 * worker of a loaded 2-core machine takes seconds, and that is no finding.
 */
export function perServer<M, F>(
  rule: string,
  measure: (adapter: Adapter) => Promise<M>,
  check: (measured: M, finding: F & { finding: string }, adapter: Adapter) => void,
  measureMs: number,
): void {
  const results = new Map<string, PromiseSettledResult<M>>();
  beforeAll(async () => {
    await warmUp();
    const settled = await Promise.allSettled(ADAPTERS.map((a) => measure(a)));
    ADAPTERS.forEach((a, i) => results.set(a.id, settled[i]!));
  }, measureMs + HOOK_SLACK_MS);
  for (const adapter of ADAPTERS) {
    const finding = FINDINGS.rules[rule]?.[adapter.id];
    it(`${adapter.id} ${adapter.version}: ${finding?.finding ?? '(no finding recorded)'}`, () => {
      const cell = findingOf<F>(rule, adapter.id);
      const result = results.get(adapter.id);
      if (!result) throw new Error('not measured');
      if (result.status === 'rejected') throw result.reason;
      check(result.value, cell, adapter);
    });
  }
}
