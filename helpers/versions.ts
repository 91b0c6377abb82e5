/**
 * Node-version gates. Where a rule differs by Node major, a spec states each
 * expectation for the majors it holds on: `itOn({ since: 19 }, ...)`. On other
 * majors the test is reported as skipped and its title says why, so the
 * results table shows "not applicable" with the reason, never a silent pass.
 */

/** The running Node major, e.g. 20. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** Inclusive range of Node majors an expectation holds for. */
export interface Gate {
  since?: number;
  until?: number;
}

export function appliesTo(gate: Gate, major: number = NODE_MAJOR): boolean {
  return (gate.since === undefined || major >= gate.since) && (gate.until === undefined || major <= gate.until);
}

/** "Node ≥ 19", "Node ≤ 18", "Node 20–21", "Node 20". */
export function gateLabel(gate: Gate): string {
  const { since, until } = gate;
  if (since !== undefined && until !== undefined) return since === until ? `Node ${since}` : `Node ${since}–${until}`;
  if (since !== undefined) return `Node ≥ ${since}`;
  if (until !== undefined) return `Node ≤ ${until}`;
  return 'every Node';
}

/** `it`, run only on the majors `gate` names; its title ends with the gate. */
export function itOn(gate: Gate, title: string, fn: () => Promise<unknown>, timeout?: number): void {
  (appliesTo(gate) ? it : it.skip)(`${title} [${gateLabel(gate)}]`, fn, timeout);
}

/** `describe`, run only on the majors `gate` names; its title ends with the gate. */
export function describeOn(gate: Gate, title: string, fn: () => void): void {
  (appliesTo(gate) ? describe : describe.skip)(`${title} [${gateLabel(gate)}]`, fn);
}
