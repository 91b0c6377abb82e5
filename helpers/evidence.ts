/**
 * Evidence for the course reporter (scripts/course-reporter.js): after each
 * test, what each fixture server saw — every request's method and path, and
 * the client port of the connection that carried it, grouped by connection:
 *
 *   conn 1 :55899 ─ POST /path1 ─ POST /path2
 *
 * The reporter sets KA_EVIDENCE_DIR before Jest starts its workers; without
 * it (a spec copied into another project, the matrix) nothing is recorded.
 */
import { appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { defer } from './cleanup';

export interface SeenOnConnection {
  connection: number;
  peerPort: number;
  method: string;
  url: string;
}

/** At most this many connections are listed per server; the rest are counted. */
const MAX_CONNECTIONS = 6;

/** "conn 1 :55899 ─ GET /first ─ GET /second", one line per connection. */
export function connectionLines(requests: SeenOnConnection[], accepted: number): string[] {
  const byConnection = new Map<number, SeenOnConnection[]>();
  for (const r of requests) byConnection.set(r.connection, [...(byConnection.get(r.connection) ?? []), r]);
  const lines = [...byConnection.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, list]) => `conn ${n} :${list[0]!.peerPort} ─ ${list.map((r) => `${r.method} ${r.url}`).join(' ─ ')}`);
  const shown = lines.slice(0, MAX_CONNECTIONS);
  if (lines.length > MAX_CONNECTIONS) shown.push(`… ${lines.length - MAX_CONNECTIONS} more connections`);
  const idle = accepted - byConnection.size;
  if (idle > 0) shown.push(`${idle} connection${idle > 1 ? 's' : ''} accepted that carried no request`);
  return shown;
}

/** The file the reporter reads for one spec file's evidence. */
export function evidenceFile(dir: string, testPath: string): string {
  return path.join(dir, `${createHash('sha1').update(testPath).digest('hex')}.jsonl`);
}

/**
 * After the current test, record `lines()` (labelled) for the reporter.
 * Called by the fixtures when they start; a no-op outside the course reporter.
 */
export function recordAfterTest(label: string, lines: () => string[]): void {
  const dir = process.env.KA_EVIDENCE_DIR;
  if (!dir) return;
  defer(() => {
    const { currentTestName, testPath } = expect.getState();
    const text = lines();
    if (!currentTestName || !testPath || text.length === 0) return;
    appendFileSync(evidenceFile(dir, testPath), JSON.stringify({ test: currentTestName, label, lines: text }) + '\n');
  });
}
