// @ts-check
/**
 * The course reporter: `npm test` prints the rules in README's chapter order
 * (specs/course.json), whatever order Jest's workers finish them in, with a
 * heading per chapter, one line per rule and one per expectation — and under
 * each expectation what the server saw (helpers/evidence.ts):
 *
 *   Chapter 1 · The seed's rules: when do two requests share a connection?
 *     global-agent · requests with no agent option go through http.globalAgent
 *       ✓ the global agent keeps alive: … [Node ≥ 19.0.0]
 *           conn 1 :55899 ─ POST /path1 ─ POST /path2
 *
 * Evidence is shown for the chapters named in the reporter's `evidence`
 * option ("seed": chapters 0 and 1; "all": every chapter; "none"), or in the
 * environment variable KA_EVIDENCE, which wins (`npm run learn` sets "all").
 * Jest's summary reporter stays beside it for totals and failure details.
 * Plain JavaScript: Jest loads reporters without a TypeScript transform.
 */
const { mkdtempSync, readFileSync, rmSync, existsSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { tmpdir } = require('node:os');
const path = require('node:path');

const course = JSON.parse(readFileSync(path.join(__dirname, '..', 'specs', 'course.json'), 'utf8'));

/** @typedef {{ test: string; label: string; lines: string[] }} Evidence */
/** @typedef {{ ancestorTitles: string[]; title: string; fullName: string; status: string; failureMessages: string[] }} Assertion */
/** @typedef {{ testFilePath: string; testResults: Assertion[]; failureMessage?: string | null; testExecError?: unknown }} FileResult */

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
/** @param {string} code @param {string} text */
const paint = (code, text) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (/** @type {string} */ t) => paint('32', t);
const red = (/** @type {string} */ t) => paint('31', t);
const dim = (/** @type {string} */ t) => paint('2', t);
const bold = (/** @type {string} */ t) => paint('1', t);

class CourseReporter {
  /** @param {unknown} _globalConfig @param {{ evidence?: string }} [options] */
  constructor(_globalConfig, options = {}) {
    this.evidence = process.env.KA_EVIDENCE || options.evidence || 'seed';
    if (!['seed', 'all', 'none'].includes(this.evidence)) throw new Error(`KA_EVIDENCE must be seed, all or none (got "${this.evidence}")`);
    this.dir = mkdtempSync(path.join(tmpdir(), 'ka-evidence-'));
    // Jest's workers are forked after reporters are made, and inherit this;
    // the light runner's, forked earlier, are sent it with every spec file.
    process.env.KA_EVIDENCE_DIR = this.dir;
    /** @type {Map<string, FileResult>} */
    this.results = new Map();
  }

  /** @param {unknown} _test @param {FileResult} result */
  onTestResult(_test, result) {
    this.results.set(path.basename(result.testFilePath).replace(/\.spec\.ts$/, ''), result);
  }

  /** @param {string} testPath @returns {Map<string, Evidence[]>} */
  evidenceOf(testPath) {
    /** @type {Map<string, Evidence[]>} */
    const byTest = new Map();
    const file = path.join(this.dir, `${createHash('sha1').update(testPath).digest('hex')}.jsonl`);
    if (!existsSync(file)) return byTest;
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      /** @type {Evidence} */
      const e = JSON.parse(line);
      byTest.set(e.test, [...(byTest.get(e.test) ?? []), e]);
    }
    return byTest;
  }

  /** @param {number} chapter */
  showsEvidence(chapter) {
    return this.evidence === 'all' || (this.evidence === 'seed' && chapter <= 1);
  }

  onRunComplete() {
    const out = [''];
    const listed = new Set();
    /** @param {string} id @param {boolean} withEvidence */
    const printSpec = (id, withEvidence) => {
      const result = this.results.get(id);
      if (!result) return;
      listed.add(id);
      const rule = result.testResults[0]?.ancestorTitles[0] ?? '';
      const failed = result.testResults.some((t) => t.status === 'failed') || result.testExecError;
      out.push(`  ${failed ? red(bold(id)) : bold(id)} ${dim('·')} ${rule}`);
      if (result.testExecError) out.push(`    ${red('✕ the spec file did not run')} ${dim('(see below)')}`);
      /** @type {Map<string, Evidence[]>} */
      const evidence = withEvidence ? this.evidenceOf(result.testFilePath) : new Map();
      for (const t of result.testResults) {
        const title = [...t.ancestorTitles.slice(1), t.title].join(' › ');
        if (t.status === 'passed') out.push(`    ${green('✓')} ${title}`);
        else if (t.status === 'failed') out.push(`    ${red('✕')} ${title}`);
        else out.push(`    ${dim(`○ not on this release: ${title}`)}`);
        const seen = evidence.get(t.fullName) ?? [];
        for (const e of seen) {
          const label = seen.length > 1 ? `${e.label}: ` : '';
          e.lines.forEach((l, i) => out.push(dim(`        ${i === 0 ? label : ' '.repeat(label.length)}${l}`)));
        }
      }
    };
    course.chapters.forEach((/** @type {{ title: string; specs: string[] }} */ chapter, /** @type {number} */ i) => {
      if (!chapter.specs.some((id) => this.results.has(id))) return;
      out.push(bold(chapter.title));
      for (const id of chapter.specs) printSpec(id, this.showsEvidence(i));
      out.push('');
    });
    const rest = [...this.results.keys()].filter((id) => !listed.has(id)).sort();
    if (rest.length > 0) {
      out.push(bold('Not yet in a chapter (add them to specs/course.json)'));
      for (const id of rest) printSpec(id, this.evidence === 'all');
      out.push('');
    }
    process.stdout.write(out.join('\n') + '\n');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = CourseReporter;
