/**
 * One rule, run once per client: `clientRule()` turns a rule's cases into
 * one Jest test per case and column (clients/columns.ts). Each case measures
 * a finding in words from what the server saw, and the test compares it with
 * the finding recorded in clients/findings.json: a difference fails, naming
 * the rule, the case, the client and both findings. A column that needs a
 * newer Node is a skipped test saying so ("not applicable"), never a failure.
 * Every measured finding is also written for results/CLIENTS.md (run.ts).
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ClientAdapter } from './contract';
import { columns } from './columns';
import type { Column } from './columns';
import { expectedFinding, readFindings } from './recorded';
import { defer } from '../helpers/cleanup';

export interface Normative {
  /** The RFC sections, e.g. "RFC 9110 §9.2.2, RFC 9112 §9.3.1". */
  anchor: string;
  /** The requirement in one sentence. */
  requirement: string;
  /** Whether a finding meets the requirement. */
  meets(finding: string): boolean;
}

export interface RuleCase {
  /** The case as a sentence; the key of its findings. */
  name: string;
  /** Where an RFC states what a client must do in this case. */
  normative?: Normative;
  /** Measures the finding for one client, from what the server saw. */
  run(client: ClientAdapter, column: Column): Promise<string>;
}

export interface ClientRuleSpec {
  id: string;
  /** The rule, stated once for every client. */
  rule: string;
  cases: RuleCase[];
}

export interface MeasuredLine {
  rule: string;
  ruleText: string;
  case: string;
  column: string;
  name: string;
  version: string;
  source: Column['source'];
  finding: string | null;
  expected: string | null;
  notApplicable?: string;
  /** The harness broke (not a finding): the first line of the error. */
  error?: string;
  normative?: { anchor: string; meets: boolean };
}

function record(line: MeasuredLine): void {
  const dir = process.env.KA_CLIENTS_RESULTS;
  if (dir) appendFileSync(path.join(dir, `${line.rule}.jsonl`), JSON.stringify(line) + '\n');
}

/** A finding that differs: its message is the whole lesson, so Jest shows no stack or code frame under it. */
function findingError(message: string): Error {
  const error = new Error(message);
  error.stack = `${error.name}: ${message}`;
  return error;
}

export function clientRule(spec: ClientRuleSpec): void {
  const findings = readFindings();
  describe(`${spec.id}: ${spec.rule}`, () => {
    for (const column of columns()) {
      describe(column.id, () => {
        if (!column.fresh) {
          const shared = column.open();
          afterAll(async () => shared.close?.());
        }
        for (const testCase of spec.cases) {
          const base = { rule: spec.id, ruleText: spec.rule, case: testCase.name, column: column.id, name: column.name, version: column.version, source: column.source };
          if (column.notApplicable) {
            it.skip(`${testCase.name} — not applicable: ${column.notApplicable}`, () => undefined);
            record({ ...base, finding: null, expected: null, notApplicable: column.notApplicable });
            continue;
          }
          it(testCase.name, async () => {
            const client = column.open();
            if (column.fresh) defer(() => client.close?.());
            let finding: string;
            try {
              finding = await testCase.run(client, column);
            } catch (error) {
              record({ ...base, finding: null, expected: null, error: String((error as Error).message ?? error).split('\n')[0] });
              throw error;
            }
            const expected = expectedFinding(findings, spec.id, testCase.name, column.name, column.version);
            const normative = testCase.normative ? { anchor: testCase.normative.anchor, meets: testCase.normative.meets(finding) } : undefined;
            record({ ...base, finding, expected: expected?.finding ?? null, normative });
            if (!expected && column.fresh && process.env.KA_CLIENTS_RECORD !== '1') {
              throw findingError(`${spec.id} › ${testCase.name} › ${column.id}: no finding recorded in clients/findings.json; this run found "${finding}"`);
            }
            if (expected && finding !== expected.finding) {
              throw findingError(`${spec.id} › ${testCase.name} › ${column.id}: the recorded finding is "${expected.finding}", this run found "${finding}"`);
            }
            // A column with no recorded finding (your KA_CLIENT adapter) is still held to the RFC where the case is normative.
            if (!expected && testCase.normative && normative && !normative.meets) {
              throw findingError(`${spec.id} › ${testCase.name} › ${column.id}: "${finding}" is against ${testCase.normative.anchor} (${testCase.normative.requirement}), and no recorded finding says this client does so`);
            }
          });
        }
      });
    }
  });
}
