/**
 * Release gates. Node changes keep-alive behaviour in minor releases and
 * backports the change to several lines at once (20.18.0, 22.19.0, 24.6.0…),
 * and fetch() follows the undici version bundled with the release. So an
 * expectation that does not hold on every release names the releases it
 * holds on, as a semver range over Node's version or over the bundled undici
 * version (`process.versions.undici`), found by bisecting real releases
 * (`npm run bisect`).
 *
 * A behaviour that changed is stated with `byRelease()`: one expectation per
 * run of releases. Exactly one of them applies to any release; the others are
 * reported as skipped with their gate in the title, so the results table shows
 * "n/a" and the sibling that holds instead. `byRelease()` checks, when the
 * spec file loads, that its gates cover every release in
 * fixtures/node-releases.json exactly once, and that one of them covers the
 * running release; if not, it adds a failing test saying which release is
 * left without (or with two) expectations.
 *
 * KA_IGNORE_GATES=1 runs every expectation on every release: that is how
 * `npm run bisect` finds the release where one starts or stops holding.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';

/** fixtures/node-releases.json, read as a file so a copied spec needs no resolveJsonModule. */
const releaseData = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'node-releases.json'), 'utf8')) as {
  releases: Array<{ node: string; undici: string }>;
};

/**
 * The running Node release, e.g. "22.19.0" (what Bun and Deno report for
 * their Node compatibility). A pre-release tag is dropped: the registry's
 * node@26.8.0 reports itself as "26.8.0-alpha.0.0.0", and is 26.8.0 here.
 */
export const NODE_VERSION: string = semver.coerce(process.versions.node)?.version ?? process.versions.node;

/** Every release from the engines floor to the newest one checked, with its bundled undici. */
export const KNOWN_RELEASES: ReadonlyArray<{ node: string; undici: string }> = releaseData.releases;

/**
 * The running release's bundled undici (fetch). A runtime that does not say
 * (Bun, Deno) is taken at the word of the Node release it reports: the undici
 * that release bundles (or the newest known one of its line).
 */
export const UNDICI_VERSION: string | undefined =
  (process.versions as Record<string, string | undefined>).undici ?? undiciOf(NODE_VERSION);

function undiciOf(node: string): string | undefined {
  const sameLine = KNOWN_RELEASES.filter((r) => semver.major(r.node) === semver.major(node) && semver.lte(r.node, node));
  return sameLine[sameLine.length - 1]?.undici;
}

/** When set, every expectation runs whatever its gate: for bisecting. */
export const GATES_IGNORED = process.env.KA_IGNORE_GATES === '1';

/** The releases an expectation holds on: a semver range over Node's version, or over the bundled undici's. */
export type Gate = { node: string } | { undici: string };

function rangeOf(gate: Gate): string {
  return 'node' in gate ? gate.node : gate.undici;
}

/** Parsed ranges and versions, kept: the coverage check tests every gate against every known release. */
const ranges = new Map<string, semver.Range>();
const versions = new Map<string, semver.SemVer>();
function satisfies(version: string, range: string): boolean {
  let parsed = ranges.get(range);
  if (!parsed) ranges.set(range, (parsed = new semver.Range(range)));
  let v = versions.get(version);
  if (!v) versions.set(version, (v = new semver.SemVer(version)));
  return parsed.test(v);
}

/** Whether `gate` holds on a release (default: the running one). */
export function holdsOn(gate: Gate, release: { node: string; undici?: string | undefined } = { node: NODE_VERSION, undici: UNDICI_VERSION }): boolean {
  if ('node' in gate) return satisfies(release.node, gate.node);
  return release.undici !== undefined && satisfies(release.undici, gate.undici);
}

/** "Node ≥ 20.18.0 < 21 || ≥ 22.9.0", "undici ≥ 6.0.0": the gate as a title suffix reads it. */
export function gateLabel(gate: Gate): string {
  const pretty = rangeOf(gate)
    .replace(/>=\s*/g, '≥ ')
    .replace(/<=\s*/g, '≤ ')
    .replace(/<(?!=)\s*/g, '< ')
    .replace(/>(?!=)\s*/g, '> ');
  return `${'node' in gate ? 'Node' : 'undici'} ${pretty}`;
}

/** `it`, run only on the releases `gate` names (or on all, with KA_IGNORE_GATES=1); its title ends with the gate. */
export function itOn(gate: Gate, title: string, fn: () => Promise<unknown>, timeout?: number): void {
  (GATES_IGNORED || holdsOn(gate) ? it : it.skip)(`${title} [${gateLabel(gate)}]`, fn, timeout);
}

export interface Expectation {
  /** The releases it holds on. */
  on: Gate;
  /** The expectation as a sentence; the gate is appended. */
  title: string;
  test: () => Promise<unknown>;
  timeout?: number;
}

/**
 * Which releases of `releases` match no expectation or more than one:
 * an empty list means the gates partition them.
 */
export function gateGaps(expectations: Array<Pick<Expectation, 'on'>>, releases = KNOWN_RELEASES): string[] {
  const gaps: string[] = [];
  for (const release of releases) {
    const n = expectations.filter((e) => holdsOn(e.on, release)).length;
    if (n !== 1) gaps.push(`${release.node} (undici ${release.undici}) matches ${n}`);
  }
  return gaps;
}

/**
 * One behaviour that differs between releases, as one expectation per run of
 * releases. See the module comment for what is checked.
 */
export function byRelease(expectations: Expectation[]): void {
  const gaps = gateGaps(expectations);
  const here = expectations.filter((e) => holdsOn(e.on)).length;
  if (gaps.length > 0) {
    it(`the gates of "${expectations[0]?.title}" cover every known release exactly once`, () => {
      throw new Error(`releases with no single expectation: ${gaps.slice(0, 5).join('; ')}${gaps.length > 5 ? ` and ${gaps.length - 5} more` : ''}`);
    });
  }
  if (here !== 1) {
    it(`one expectation of "${expectations[0]?.title}" is stated for Node ${NODE_VERSION} (undici ${UNDICI_VERSION ?? 'none'})`, () => {
      throw new Error(`${here} expectations apply to this release; bisect it and state what holds here`);
    });
  }
  for (const e of expectations) itOn(e.on, e.title, e.test, e.timeout);
}
