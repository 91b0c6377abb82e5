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

// ---------------------------------------------------------------------------
// Timelines, for the report (scripts/report.ts): per connection, when the
// server accepted it, each request's arrival and its response's end, and when
// and how the connection ended. Recorded only where KA_TIMELINE_DIR is set (the
// report sets it); otherwise the fixtures attach nothing extra and write
// nothing — npm test pays nothing for it.
// ---------------------------------------------------------------------------

/** Who ended a connection, and how, as the server saw it. */
export interface ConnectionEnd {
  /** `performance.now()` in the worker when the server saw the end. */
  at: number;
  /** The side whose FIN or RST came first. */
  by: 'client' | 'server';
  how: 'FIN' | 'RST';
  /** What the server saw: 'end' (the client's FIN), 'finish' (the server's own FIN sent), 'destroy' (the server closed the socket), 'resetAndDestroy', or an error code. */
  seen: string;
}

export interface TimelineRequest {
  method: string;
  url: string;
  httpVersion?: string;
  /** When the server had the request's head. */
  arrivedAt: number;
  /** When the server finished sending the response (undefined: it never did). */
  finishedAt?: number;
  status?: number;
  requestHeaders?: Array<[string, string]>;
  responseHeaders?: Array<[string, string]>;
}

export interface TimelineConnection {
  /** 1-based, in accept order. */
  connection: number;
  /** The client's port: the connection's identity. */
  peerPort: number;
  acceptedAt: number;
  requests: TimelineRequest[];
  /** Undefined while open: in a written record, still open when the test ended. */
  end?: ConnectionEnd;
}

export interface Timeline {
  /** As in the course reporter's evidence: "server 1", "server 2 (TLS)", "raw server". */
  label: string;
  kind: 'http' | 'https' | 'raw';
  /** `performance.timeOrigin` of the worker: wall-clock ms = timeOrigin + a time below. */
  timeOrigin: number;
  /** When the fixture was listening. */
  startedAt: number;
  /** When the test ended (the record was written). */
  endedAt: number;
  /** The port the server listened on. */
  port: number;
  connections: TimelineConnection[];
  /** Where the times come from, when not from the fixture's own server (see scripts/report.ts). */
  source?: string;
}

/** One line of a timeline file. */
export interface TimelineRecord {
  test: string;
  testPath: string;
  timeline: Timeline;
}

/** Where timelines are written, or undefined: not recorded at all. */
export function timelineDir(): string | undefined {
  return process.env.KA_TIMELINE_DIR || undefined;
}

/**
 * Watch `socket` (a connection the server accepted) for its end and note the
 * first sign in `conn.end`: the client's FIN ('end'), the server's own FIN
 * ('finish', after end()), a reset (an error: ECONNRESET, EPIPE — the client's
 * RST), resetAndDestroy() (the server's RST), or 'close' with none of these
 * (the server destroyed the socket; the kernel sends FIN). Listeners only; the
 * socket behaves as before.
 */
export function watchEnd(socket: import('node:net').Socket, conn: TimelineConnection): void {
  const end = (by: ConnectionEnd['by'], how: ConnectionEnd['how'], seen: string) => {
    conn.end ??= { at: performance.now(), by, how, seen };
  };
  socket.on('end', () => end('client', 'FIN', 'end'));
  socket.on('finish', () => end('server', 'FIN', 'finish'));
  socket.on('error', (error: NodeJS.ErrnoException) => end('client', 'RST', error.code ?? 'error'));
  socket.on('close', () => end('server', 'FIN', 'destroy'));
  const reset = (socket as { resetAndDestroy?: () => unknown }).resetAndDestroy;
  if (typeof reset === 'function') {
    (socket as { resetAndDestroy: () => unknown }).resetAndDestroy = function resetAndDestroy(this: unknown) {
      end('server', 'RST', 'resetAndDestroy');
      return reset.call(this);
    };
  }
}

/** After the current test, write `timeline()` to KA_TIMELINE_DIR (see timelineDir()). */
export function recordTimelineAfterTest(timeline: () => Omit<Timeline, 'endedAt' | 'timeOrigin'>): void {
  const dir = timelineDir();
  if (!dir) return;
  defer(() => {
    const { currentTestName, testPath } = expect.getState();
    if (!currentTestName || !testPath) return;
    const record: TimelineRecord = { test: currentTestName, testPath, timeline: { ...timeline(), timeOrigin: performance.timeOrigin, endedAt: performance.now() } };
    appendFileSync(evidenceFile(dir, testPath), JSON.stringify(record) + '\n');
  });
}

/** The file the reporter reads for one spec file's evidence. */
export function evidenceFile(dir: string, testPath: string): string {
  return path.join(dir, `${createHash('sha1').update(testPath).digest('hex')}.jsonl`);
}

/**
 * After the current test, record `lines()` (labelled) for the reporter.
 * Called by the fixtures when they start; a no-op outside the course reporter.
 */
export function recordAfterTest(label: string, lines: () => string[], stamps?: () => number[]): void {
  const dir = process.env.KA_EVIDENCE_DIR;
  const timelines = timelineDir();
  if (!dir && !timelines) return;
  defer(() => {
    const { currentTestName, testPath } = expect.getState();
    const text = lines();
    if (!currentTestName || !testPath || text.length === 0) return;
    if (dir) appendFileSync(evidenceFile(dir, testPath), JSON.stringify({ test: currentTestName, label, lines: text }) + '\n');
    // The report shows the same lines, with when each arrived where the fixture knows it.
    if (timelines) {
      const record: LinesRecord = { test: currentTestName, testPath, label, lines: text, stamps: stamps?.(), timeOrigin: performance.timeOrigin };
      appendFileSync(evidenceFile(timelines, testPath), JSON.stringify(record) + '\n');
    }
  });
}

/** A line of a timeline file with the course reporter's text evidence (and, where known, when each line arrived). */
export interface LinesRecord {
  test: string;
  testPath: string;
  label: string;
  lines: string[];
  /** `performance.now()` when each line arrived, where the fixture records it. */
  stamps?: number[];
  timeOrigin: number;
}
