/**
 * Findings are data: clients/findings.json holds, per rule and case, what
 * each client does, as words, with the versions each finding holds for:
 *
 *   "lost-request": { "GET lost on a reused connection": {
 *     "got": [{ "finding": "resent once on a new connection, 200 to the caller" }],
 *     "node-fetch 2": [{ "versions": "<2.6.13", "finding": "…" }, { "versions": ">=2.6.13", "finding": "…" }],
 *     "fetch()": [{ "node": ">=20", "finding": "…" }] } }
 *
 * `versions` is a semver range over the client's own version (bisected over
 * its published versions), `node` one over the running Node release; an
 * entry without either holds for every version. The first entry that matches
 * is the expected finding; a column with none has no recorded finding.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';

export interface FindingEntry {
  versions?: string;
  node?: string;
  finding: string;
  /** Where the finding comes from when it is worth saying (a tracker thread, a bisect). */
  note?: string;
}

export type Findings = Record<string, Record<string, Record<string, FindingEntry[]>>>;

export const FINDINGS_FILE = path.join(__dirname, 'findings.json');

export function readFindings(): Findings {
  return JSON.parse(readFileSync(FINDINGS_FILE, 'utf8')) as Findings;
}

const NODE = semver.coerce(process.versions.node)?.version ?? process.versions.node;

/** Whether `entry` covers `version` of the client on the running Node (`node` given for tests of the data). */
export function covers(entry: FindingEntry, version: string, node = NODE): boolean {
  const v = semver.coerce(version)?.version;
  if (entry.versions && !(v && semver.satisfies(v, entry.versions))) return false;
  if (entry.node && !semver.satisfies(node, entry.node)) return false;
  return true;
}

/** The recorded finding for `client` (a column name) at `version`, or undefined. */
export function expectedFinding(findings: Findings, rule: string, testCase: string, client: string, version: string): FindingEntry | undefined {
  return findings[rule]?.[testCase]?.[client]?.find((entry) => covers(entry, version));
}
