/**
 * npm run report [-- --har] [--no-run] [spec ...]
 *
 * Runs the suite as `npm run learn` does (the course in the terminal, every
 * chapter's evidence), with the fixtures' timelines written to files
 * (KA_TIMELINE_DIR, helpers/evidence.ts), and writes a static page,
 * results/report/index.html, that works from file:// with no network:
 *
 * - the course in README's chapter order (specs/course.json): per expectation
 *   its result and a connection timeline drawn from the server's evidence —
 *   one row per TCP connection labelled with the client port, requests as
 *   bars, idle gaps, the close marked with who closed and how, a ms axis;
 * - the release matrix from results/runs/*.json, node.green-style, with the
 *   same cells as results/RESULTS.md (scripts/results-table.ts makes both);
 * - the other lanes' tables (results/PEERS.md, CLIENTS.md, SERVERS.md, when
 *   they exist).
 *
 * Beside it: results/report/evidence/<spec>.jsonl (the timelines, one JSON
 * line per fixture per test) and results/report/jest.json (Jest's report).
 * `--har` also writes results/report/har/<spec>.har, one HAR file per spec
 * file (connection ids from the client ports, `connect: -1` on reuse).
 * `--no-run` redraws the page from the last run's files. Spec ids or paths
 * narrow the run. Exit status: Jest's (the page is written either way).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import * as path from 'node:path';
import { ROOT } from './jest-run';
import { cell, GATE, keyOf, matrixCells, readRuns, type TargetResults } from './results-table';
import type { LinesRecord, Timeline, TimelineConnection, TimelineRecord } from '../helpers/evidence';

export const REPORT_DIR = path.join(ROOT, 'results', 'report');
export const EVIDENCE_DIR = path.join(REPORT_DIR, 'evidence');
const HAR_DIR = path.join(REPORT_DIR, 'har');
const JEST_FILE = path.join(REPORT_DIR, 'jest.json');
const RAW_DIR = path.join(REPORT_DIR, '.timelines');

interface Course {
  chapters: Array<{ title: string; specs: string[] }>;
}
interface JestAssertion {
  ancestorTitles: string[];
  title: string;
  fullName: string;
  status: string;
  failureMessages: string[];
}
interface JestFile {
  name: string;
  status: string;
  message: string;
  assertionResults: JestAssertion[];
}
interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  startTime: number;
  testResults: JestFile[];
}

/** What one test's fixtures recorded: timelines and text evidence. */
interface TestEvidence {
  timelines: Timeline[];
  lines: LinesRecord[];
}

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

function fail(message: string): never {
  process.stderr.write(`report: ${message}\n`);
  process.exit(2);
}

function specFileOf(id: string): string | undefined {
  for (const dir of ['specs', 'peers']) {
    const file = `${dir}/${id}.spec.ts`;
    if (existsSync(path.join(ROOT, file))) return file;
  }
  return undefined;
}

function parseArgs(argv: string[]): { har: boolean; run: boolean; specs: string[] } {
  const out = { har: false, run: true, specs: [] as string[] };
  for (const arg of argv) {
    if (arg === '--har') out.har = true;
    else if (arg === '--no-run') out.run = false;
    else if (arg.startsWith('-')) fail(`unknown option ${arg} (options: --har, --no-run, spec ids)`);
    else {
      const id = path.basename(arg).replace(/\.spec\.ts$/, '');
      const file = specFileOf(id);
      if (!file || !file.startsWith('specs/')) fail(`no spec specs/${id}.spec.ts`);
      out.specs.push(file);
    }
  }
  if (!out.run && out.specs.length > 0) fail('--no-run redraws the last run; it takes no spec');
  if (!out.run && !existsSync(JEST_FILE)) fail(`--no-run: no earlier run in ${path.relative(ROOT, REPORT_DIR)} (run npm run report first)`);
  return out;
}

// ---------------------------------------------------------------------------
// Running the suite and collecting the evidence
// ---------------------------------------------------------------------------

function runSuite(specs: string[]): number {
  rmSync(RAW_DIR, { recursive: true, force: true });
  rmSync(EVIDENCE_DIR, { recursive: true, force: true });
  mkdirSync(RAW_DIR, { recursive: true });
  mkdirSync(EVIDENCE_DIR, { recursive: true });
  rmSync(JEST_FILE, { force: true });
  const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
  const run = spawnSync(
    process.execPath,
    ['--require', path.join(ROOT, 'scripts', 'jest-compat.js'), jest, '--config', path.join(ROOT, 'scripts', 'jest.config.cjs'), '--json', `--outputFile=${JEST_FILE}`, ...specs],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, KA_EVIDENCE: 'all', KA_TIMELINE_DIR: RAW_DIR } },
  );
  // One file per spec, named by the spec: evidence/<id>.jsonl.
  const bySpec = new Map<string, string[]>();
  for (const f of readdirSync(RAW_DIR)) {
    for (const line of readFileSync(path.join(RAW_DIR, f), 'utf8').split('\n').filter(Boolean)) {
      const id = path.basename((JSON.parse(line) as { testPath: string }).testPath).replace(/\.spec\.ts$/, '');
      bySpec.set(id, [...(bySpec.get(id) ?? []), line]);
    }
  }
  for (const [id, lines] of bySpec) writeFileSync(path.join(EVIDENCE_DIR, `${id}.jsonl`), lines.join('\n') + '\n');
  rmSync(RAW_DIR, { recursive: true, force: true });
  if (!existsSync(JEST_FILE)) fail(`Jest wrote no report (exit ${run.status ?? run.signal})`);
  return run.status ?? 1;
}

/** Per spec id, per test (Jest's full name): what its fixtures recorded. */
export function readEvidence(): Map<string, Map<string, TestEvidence>> {
  const out = new Map<string, Map<string, TestEvidence>>();
  if (!existsSync(EVIDENCE_DIR)) return out;
  for (const f of readdirSync(EVIDENCE_DIR).filter((f) => f.endsWith('.jsonl'))) {
    const byTest = new Map<string, TestEvidence>();
    for (const line of readFileSync(path.join(EVIDENCE_DIR, f), 'utf8').split('\n').filter(Boolean)) {
      const record = JSON.parse(line) as TimelineRecord | LinesRecord;
      const e = byTest.get(record.test) ?? { timelines: [], lines: [] };
      byTest.set(record.test, e);
      if ('timeline' in record) e.timelines.push(record.timeline);
      else e.lines.push(record);
    }
    out.set(f.replace(/\.jsonl$/, ''), byTest);
  }
  return out;
}

/**
 * The seed programs (fixtures/seed/*.cjs) run their own server and print what
 * it saw; with the time each line reached the test, that is a timeline too:
 * "server: connection from port N" is an accept, "server: request from port
 * N: M U" an arrival, "client: U answered" the response's end as the client
 * saw it. The program closes everything as it exits: still open at its end.
 */
export function timelineFromPrinted(record: LinesRecord): Timeline | undefined {
  const stamps = record.stamps;
  if (!stamps || stamps.length !== record.lines.length) return undefined;
  const connections: TimelineConnection[] = [];
  const byPort = new Map<number, TimelineConnection>();
  record.lines.forEach((line, i) => {
    const at = stamps[i]!;
    let m = /^server: connection from port (\d+)$/.exec(line);
    if (m) {
      const conn: TimelineConnection = { connection: connections.length + 1, peerPort: Number(m[1]), acceptedAt: at, requests: [] };
      connections.push(conn);
      byPort.set(conn.peerPort, conn);
      return;
    }
    m = /^server: request from port (\d+): (\S+) (\S+), Connection: (\S+)$/.exec(line);
    if (m) {
      byPort.get(Number(m[1]))?.requests.push({ method: m[2]!, url: m[3]!, arrivedAt: at, requestHeaders: [['Connection', m[4]!]] });
      return;
    }
    m = /^client: (\S+) answered (\d+)/.exec(line);
    if (m) {
      const req = connections.flatMap((c) => c.requests).find((r) => r.url === m![1] && r.finishedAt === undefined);
      if (req) (req.finishedAt = at), (req.status = Number(m[2]));
    }
  });
  if (connections.length === 0) return undefined;
  const program = record.label.replace(/ printed$/, '');
  return {
    label: `${program}'s server`,
    kind: 'http',
    timeOrigin: record.timeOrigin,
    startedAt: Math.min(...stamps),
    endedAt: Math.max(...stamps),
    port: 0,
    connections,
    source: `from what ${program} printed, each line timed as the test received it (0 ms: its first line; a response ends when the client printed it; the program closes everything as it exits)`,
  };
}

/** Every timeline of a test: its fixtures', and the seed programs' from what they printed. */
export function timelinesOf(e: TestEvidence | undefined): Timeline[] {
  if (!e) return [];
  return [...e.timelines, ...e.lines.map(timelineFromPrinted).filter((t): t is Timeline => t !== undefined)];
}

// ---------------------------------------------------------------------------
// HTML helpers
// ---------------------------------------------------------------------------

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
const ms = (t: number) => (t >= 100 ? `${Math.round(t)} ms` : t >= 10 ? `${t.toFixed(1)} ms` : `${t.toFixed(2)} ms`);
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/** The header comment of a spec file: the rule, its source, its releases. */
function headerComment(file: string): string {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text);
  return m ? m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim() : '';
}

/** The rule as the spec's describe() states it. */
function ruleTitle(file: string): string {
  const m = /describe\(\s*(['"`])((?:\\.|(?!\1).)*)\1/.exec(readFileSync(path.join(ROOT, file), 'utf8'));
  return m ? m[2]!.replace(/\\(.)/g, '$1') : '';
}

/** Minimal inline Markdown: `code`, **bold**, [text](link) (links relative to results/ made relative to results/report/). */
function inline(md: string): string {
  let html = esc(md.replace(/\\\|/g, '|'));
  html = html.replace(/`([^`]+)`/g, '<code>$1</code>');
  html = html.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, href: string) => `<a href="${/^[a-z]+:/.test(href) || href.startsWith('#') ? href : `../${href}`}">${text}</a>`);
  return html;
}

/** Split a Markdown table row into its cells (a `\|` stays in its cell). */
export function mdCells(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') (current += '\\|'), i++;
    else if (body[i] === '|') cells.push(current.trim()), (current = '');
    else current += body[i];
  }
  cells.push(current.trim());
  return cells;
}

function statusClass(text: string): string {
  if (text.startsWith('✅')) return 'pass';
  if (text.startsWith('❌')) return 'fail';
  if (text.startsWith('n/a') || text === 'skipped') return 'na';
  if (text === 'did not load') return 'broken';
  if (text.startsWith('⚠')) return 'warn';
  return '';
}

/** How a table's mark is drawn: in glyphs every font has (not every machine has emoji), with words for screen readers. */
const GLYPHS: Record<string, { glyph: string; words: string }> = {
  '✅': { glyph: '✓', words: 'passed' },
  '❌': { glyph: '✕', words: 'failed' },
  '⚠️': { glyph: '!', words: 'warning' },
  '⚠': { glyph: '!', words: 'warning' },
};

/**
 * A results cell: its mark (data-mark keeps the table's own, ✅ or ❌), then
 * the words — shortened on screen, whole on hover (title) and for screen readers.
 */
function resultCell(text: string, tag: 'td' | 'th' = 'td', link?: { href: string; title: string }): string {
  const cls = statusClass(text);
  const mark = /^(✅|❌|⚠️?|n\/a)/.exec(text)?.[0];
  const rest = mark ? text.slice(mark.length) : text;
  const g = mark ? GLYPHS[mark] : undefined;
  const markHtml = g ? `<span class="mark" aria-hidden="true">${g.glyph}</span><span class="sr">${g.words}</span>` : mark ? `<span class="mark">${esc(mark)}</span>` : '';
  const inner = mark ? `${markHtml}${rest ? `<span class="msg">${esc(rest)}</span>` : ''}` : esc(text);
  const body = link ? `<a href="${esc(link.href)}" title="${esc(link.title)}">${inner}</a>` : inner;
  const classes = [cls, link ? 'boundary' : ''].filter(Boolean).join(' ');
  return `<${tag}${classes ? ` class="${classes}"` : ''}${mark ? ` data-mark="${esc(mark)}"` : ''}${rest.trim() ? ` title="${esc(text)}"` : ''}>${body}</${tag}>`;
}

/** A Markdown document (the lanes' tables): headings, paragraphs, lists, tables. */
function markdown(md: string, headingShift: number): string {
  const out: string[] = [];
  const lines = md.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + headingShift);
      out.push(`<h${level}>${inline(heading[2]!)}</h${level}>`);
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(lines[i++]!);
      i--;
      const [head, , ...body] = rows.map(mdCells);
      out.push('<div class="scroll"><table class="lane">');
      out.push(`<thead><tr>${(head ?? []).map((c) => `<th scope="col">${inline(c)}</th>`).join('')}</tr></thead><tbody>`);
      for (const row of body) {
        const ruleRow = row.slice(1).every((c) => c === '');
        if (ruleRow) out.push(`<tr class="rule"><th scope="rowgroup" colspan="${row.length}">${inline(row[0] ?? '')}</th></tr>`);
        else out.push(`<tr><th scope="row">${inline(row[0] ?? '')}</th>${row.slice(1).map((c) => resultCell(c.replace(/\\\|/g, '|'))).join('')}</tr>`);
      }
      out.push('</tbody></table></div>');
    } else if (/^[-*] /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^[-*] /.test(lines[i]!)) items.push(lines[i++]!.slice(2));
      i--;
      out.push(`<ul>${items.map((it) => `<li>${inline(it)}</li>`).join('')}</ul>`);
    } else if (line.trim() !== '') {
      const para: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !/^(#|\||[-*] )/.test(lines[i]!)) para.push(lines[i++]!);
      i--;
      out.push(`<p>${inline(para.join(' '))}</p>`);
    }
  }
  return out.join('\n');
}

/** Rows of a lane's table (PEERS.md and the like) by spec id: [expectation, cell…]. */
function laneRows(md: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let current: string | undefined;
  for (const line of md.split('\n').filter((l) => l.startsWith('|'))) {
    const cells = mdCells(line);
    const rule = /^\*\*\[([^\]]+)\]/.exec(cells[0] ?? '');
    if (rule) (current = rule[1]!), out.set(current, []);
    else if (current && !/^-+$/.test(cells[0] ?? '')) out.get(current)!.push(cells);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The connection timeline (SVG)
// ---------------------------------------------------------------------------

const W = 760;
const LABEL = 150;
const RIGHT = 96;
const ROW = 22;
const TOP = 8;

function niceStep(span: number): number {
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function closeWords(c: TimelineConnection): string {
  if (!c.end) return 'still open when the test ended';
  return `closed by the ${c.end.by} (${c.end.how})`;
}

/** One test's timeline: an SVG and its text alternative. */
export function timelineFigure(timelines: Timeline[], id: string): string {
  // 0 ms: the first connection accepted (before it, only the client getting ready), else the server listening.
  const accepts = timelines.flatMap((t) => t.connections.map((c) => c.acceptedAt));
  const t0 = accepts.length > 0 ? Math.min(...accepts) : Math.min(...timelines.map((t) => t.startedAt));
  const ends = timelines.flatMap((t) => [t.endedAt, ...t.connections.flatMap((c) => [c.end?.at ?? 0, ...c.requests.map((r) => r.finishedAt ?? 0)])]);
  const last = Math.max(...ends);
  const span = Math.max((last - t0) * 1.02, 1);
  const t1 = t0 + span;
  const x = (t: number) => LABEL + ((t - t0) / span) * (W - LABEL - RIGHT);
  const rows = timelines.flatMap((t) => t.connections.map((c) => ({ t, c })));
  const axisY = TOP + rows.length * ROW + 6;
  const height = axisY + 30;
  const many = timelines.length > 1;
  const svg: string[] = [];
  const text: string[] = [];
  const titleId = `${id}-title`;
  const total = rows.reduce((n, r) => n + r.c.requests.length, 0);
  const summary = `${rows.length} connection${rows.length === 1 ? '' : 's'} accepted, ${total} request${total === 1 ? '' : 's'}: ${rows
    .map(({ c }) => `:${c.peerPort} carried ${c.requests.length}, ${closeWords(c)}`)
    .join('; ')}`;
  svg.push(`<svg class="timeline" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${titleId}" data-rows="${rows.length}">`);
  svg.push(`<title id="${titleId}">${esc(summary)}</title>`);
  // Axis and grid.
  const step = niceStep(span);
  svg.push(`<g class="axis"><line x1="${LABEL}" y1="${axisY}" x2="${x(t1).toFixed(1)}" y2="${axisY}"/>`);
  for (let v = 0; v <= span + 1e-9; v += step) {
    const px = x(t0 + v).toFixed(1);
    svg.push(`<line class="grid" x1="${px}" y1="${TOP - 4}" x2="${px}" y2="${axisY}"/><text x="${px}" y="${axisY + 14}" text-anchor="middle">${step >= 1 ? Math.round(v) : v.toFixed(1)}</text>`);
  }
  svg.push(`<text x="${W - RIGHT + 8}" y="${axisY + 14}">ms</text></g>`);
  rows.forEach(({ t, c }, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const endAt = c.end?.at ?? t.endedAt;
    const server = many ? `${t.label} ` : '';
    svg.push(`<g class="row" data-server="${esc(t.label)}" data-port="${c.peerPort}" data-requests="${c.requests.length}" data-end="${c.end ? `${c.end.by} ${c.end.how}` : 'open'}">`);
    svg.push(`<text class="label" x="${LABEL - 8}" y="${y + 4}" text-anchor="end">${esc(server)}:${c.peerPort}</text>`);
    svg.push(`<line class="life${c.end ? '' : ' open'}" x1="${x(c.acceptedAt).toFixed(1)}" y1="${y}" x2="${x(endAt).toFixed(1)}" y2="${y}"><title>connection :${c.peerPort}, accepted at ${ms(c.acceptedAt - t0)}</title></line>`);
    svg.push(`<circle class="accept" cx="${x(c.acceptedAt).toFixed(1)}" cy="${y}" r="3"><title>accepted at ${ms(c.acceptedAt - t0)}</title></circle>`);
    const parts: string[] = [`conn ${c.connection} :${c.peerPort}${many ? ` (${t.label})` : ''}: accepted at ${ms(c.acceptedAt - t0)}`];
    let lastEnd: number | undefined;
    let lastAnswered = false;
    c.requests.forEach((r) => {
      const end = r.finishedAt ?? endAt;
      const x1 = x(r.arrivedAt);
      const w = Math.max(x(end) - x1, 3);
      const answered = r.finishedAt !== undefined ? `answered ${r.status ?? ''} at ${ms(r.finishedAt - t0)}`.replace('  ', ' ') : 'no response';
      if (lastEnd !== undefined && x(r.arrivedAt) - x(lastEnd) > 46) svg.push(`<text class="gap" x="${((x(lastEnd) + x1) / 2).toFixed(1)}" y="${y - 5}" text-anchor="middle">idle ${ms(r.arrivedAt - lastEnd)}</text>`);
      svg.push(`<rect class="bar${r.finishedAt === undefined ? ' noresp' : ''}" data-from="${(r.arrivedAt - t0).toFixed(2)}" data-to="${r.finishedAt === undefined ? '' : (r.finishedAt - t0).toFixed(2)}" x="${x1.toFixed(1)}" y="${y - 6}" width="${w.toFixed(1)}" height="12" rx="2"><title>${esc(`${r.method} ${r.url}: arrived at ${ms(r.arrivedAt - t0)}, ${answered}`)}</title></rect>`);
      parts.push(`${r.method} ${r.url} arrived at ${ms(r.arrivedAt - t0)}, ${answered}`);
      lastEnd = r.finishedAt ?? lastEnd;
      lastAnswered = r.finishedAt !== undefined;
    });
    if (lastAnswered && lastEnd !== undefined && x(endAt) - x(lastEnd) > 46) svg.push(`<text class="gap" x="${((x(lastEnd) + x(endAt)) / 2).toFixed(1)}" y="${y - 5}" text-anchor="middle">idle ${ms(endAt - lastEnd)}</text>`);
    const ex = x(endAt);
    if (c.end) {
      const cls = `close ${c.end.by} ${c.end.how.toLowerCase()}`;
      const mark = c.end.how === 'RST'
        ? `<path d="M${(ex - 4).toFixed(1)} ${y - 5}l8 10m0 -10l-8 10"/>`
        : `<path d="M${ex.toFixed(1)} ${y - 7}v14"/>`;
      svg.push(`<g class="${cls}" data-by="${c.end.by}" data-how="${c.end.how}" data-at="${(c.end.at - t0).toFixed(2)}" data-x="${ex.toFixed(1)}">${mark}<text x="${(ex + 6).toFixed(1)}" y="${y + 4}">${c.end.by} ${c.end.how}</text><title>${esc(`${closeWords(c)} at ${ms(c.end.at - t0)} (the server saw: ${c.end.seen})`)}</title></g>`);
      parts.push(`${closeWords(c)} at ${ms(c.end.at - t0)}${lastEnd !== undefined ? `, ${ms(c.end.at - lastEnd)} after its last response` : ''}`);
    } else {
      svg.push(`<g class="open-end"><path d="M${(ex - 6).toFixed(1)} ${y - 4}l6 4l-6 4"/><text x="${(ex + 6).toFixed(1)}" y="${y + 4}">open</text></g>`);
      parts.push('still open when the test ended');
    }
    svg.push('</g>');
    text.push(parts.join('; '));
  });
  svg.push('</svg>');
  const sources = timelines.map((t) => t.label).join(', ');
  return `<figure class="timeline-figure" id="${id}" data-rows="${rows.length}">
${rows.length > 0 ? `<div class="tl-scroll">${svg.join('')}</div>` : '<p class="none">The server accepted no connection.</p>'}
<figcaption>Connections ${esc(sources)} accepted, ${esc(timelines.map((t) => t.source).find(Boolean) ?? "from the server's side (0 ms: the first connection accepted)")}.
<details><summary>Timeline as text</summary><ol>${text.map((l) => `<li>${esc(l)}</li>`).join('')}</ol></details></figcaption>
</figure>`;
}

// ---------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------

const CSS = `
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--na:#57606a;--na-bg:#f0f2f4;--client:#0969da;--server:#bc4c00;--bar:#2da44e;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#fff}
main,header.page,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header.page{padding-top:1rem}
h1{font-size:1.7rem;margin:.5rem 0}
h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1.1rem;margin:1.6rem 0 .3rem}
h3 code,h4 code{font-size:.9em}
h4{font-size:1rem;margin:.9rem 0 .2rem;font-weight:600}
a{color:#0550ae}
a:focus-visible,summary:focus-visible{outline:3px solid #0969da;outline-offset:2px}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:0 .2em;border-radius:3px}
pre{font:.8rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.muted,figcaption{color:var(--muted);font-size:.85rem}
nav ol{columns:2 18rem;padding-left:1.2rem}
.rule-head{color:var(--muted);font-size:.9rem;margin:.2rem 0}
.expectation{border-left:4px solid var(--line);padding:.1rem 0 .4rem .8rem;margin:.6rem 0}
.expectation.passed{border-color:var(--pass)}
.expectation.failed{border-color:var(--fail);background:var(--fail-bg)}
.expectation.pending{border-color:var(--na)}
.status{font-weight:700;white-space:nowrap}
.passed .status{color:var(--pass)} .failed .status{color:var(--fail)} .pending .status{color:var(--na)}
figure{margin:.3rem 0}
svg.timeline{width:100%;height:auto;max-width:${W}px;display:block;font:11px system-ui,sans-serif}
svg .axis line{stroke:#8c959f} svg .axis text{fill:var(--muted)} svg .grid{stroke:#eaeef2}
svg .label{fill:var(--ink);font:11px ui-monospace,Menlo,Consolas,monospace}
svg .life{stroke:#8c959f;stroke-width:2}
.tl-scroll{overflow-x:auto;max-width:100%}
.tl-scroll svg.timeline{min-width:34rem}
svg .accept{fill:#fff;stroke:#57606a;stroke-width:1.5}
svg .bar{fill:var(--bar)} svg .bar.noresp{fill:var(--fail)}
svg .gap{fill:var(--muted);font-size:10px}
svg .close path{stroke-width:2.5;fill:none} svg .close text{font-size:10px;font-weight:600}
svg .close.client path{stroke:var(--client)} svg .close.client text{fill:var(--client)}
svg .close.server path{stroke:var(--server)} svg .close.server text{fill:var(--server)}
svg .open-end path{stroke:#57606a;fill:none;stroke-width:1.5} svg .open-end text{fill:var(--muted);font-size:10px}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:.85rem;color:var(--muted);padding:0;list-style:none}
.legend svg{vertical-align:middle}
.scroll{position:relative;overflow-x:auto;max-width:100%;border:1px solid var(--line);margin:.5rem 0}
table{border-collapse:collapse;font-size:.8rem}
th,td{border:1px solid var(--line);padding:.2rem .35rem;vertical-align:top;text-align:left}
thead th{background:#f6f8fa;position:sticky;top:0;font-weight:600;min-width:4.5rem}
tbody th{font-weight:400;min-width:16rem;max-width:28rem;background:#fff}
table.matrix tbody th{position:sticky;left:0;z-index:1}
tr.rule th{background:#f6f8fa;font-weight:600}
td.pass{background:var(--pass-bg);color:var(--pass);text-align:center;font-weight:700}
table.matrix td{min-width:2.4rem}
table.matrix thead th{min-width:4.2rem;max-width:7.5rem;font-size:.72rem}
td .mark{font-weight:700}
td.fail{background:var(--fail-bg);color:var(--fail)}
td.na,td.broken{background:var(--na-bg);color:var(--na)}
td.warn{background:#fff8c5}
td .msg{display:block;max-width:12rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:.7rem}
td.pass .msg{display:inline}
td.boundary{border-left:3px solid var(--ink)}
td.boundary a{color:inherit;text-decoration:none;display:block}
.totals td{font-size:.7rem}
table.matrix td .msg{max-width:3.6rem}
table.matrix tbody th{min-width:14rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
details summary{cursor:pointer}
@media (max-width:40rem){body{font-size:15px}nav ol{columns:1}tbody th,table.matrix tbody th{min-width:9rem}h1{font-size:1.35rem}}
`;

interface PageInput {
  course: Course;
  jest: JestReport;
  evidence: Map<string, Map<string, TestEvidence>>;
  runs: TargetResults[];
  lanes: Array<{ file: string; md: string }>;
  generated: Date;
  node: string;
}

function legend(): string {
  const item = (svg: string, words: string) => `<li><svg width="34" height="14" aria-hidden="true">${svg}</svg> ${words}</li>`;
  return `<ul class="legend" aria-label="How to read a timeline">
${item('<line x1="2" y1="7" x2="32" y2="7" stroke="#8c959f" stroke-width="2"/><circle cx="5" cy="7" r="3" fill="#fff" stroke="#57606a"/>', 'a TCP connection, from its accept')}
${item('<rect x="4" y="1" width="26" height="12" rx="2" fill="#2da44e"/>', 'a request: arrival to end of response')}
${item('<rect x="4" y="1" width="26" height="12" rx="2" fill="#cf222e"/>', 'a request with no response')}
${item('<path d="M17 0v14" stroke="#0969da" stroke-width="2.5"/>', 'client closed (FIN)')}
${item('<path d="M17 0v14" stroke="#bc4c00" stroke-width="2.5"/>', 'server closed (FIN)')}
${item('<path d="M13 2l8 10m0 -10l-8 10" stroke="#bc4c00" stroke-width="2.5"/>', 'reset (RST)')}
${item('<line x1="2" y1="7" x2="26" y2="7" stroke="#8c959f" stroke-width="2"/><path d="M26 3l6 4l-6 4" stroke="#57606a" fill="none"/>', 'still open at the test’s end')}
</ul>`;
}

function expectationHtml(a: JestAssertion, specId: string, e: TestEvidence | undefined, index: number): string {
  const title = [...a.ancestorTitles.slice(1), a.title].join(' › ');
  const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'pending';
  const words = status === 'passed' ? '✓ holds' : status === 'failed' ? '✕ failed' : '○ not on this release';
  const id = `${specId}--${index + 1}`;
  const out = [`<article class="expectation ${status}" id="${id}" data-test="${esc(a.fullName)}" data-spec="${specId}">`];
  out.push(`<h4><span class="status">${words}</span> ${esc(title)}</h4>`);
  if (status === 'failed') out.push(`<pre>${esc(plain(a.failureMessages.join('\n')).split('\n').slice(0, 12).join('\n'))}</pre>`);
  const timelines = timelinesOf(e);
  if (timelines.length > 0) out.push(timelineFigure(timelines, `${id}-timeline`));
  const text = (e?.lines ?? []).filter((l) => !/^server \d+( \(TLS\))?$|^raw server$/.test(l.label));
  for (const l of text) out.push(`<details class="printed"><summary>${esc(l.label)}</summary><pre>${esc(l.lines.join('\n'))}</pre></details>`);
  out.push('</article>');
  return out.join('\n');
}

function specHtml(id: string, input: PageInput, jestByFile: Map<string, JestFile>, lanes: Map<string, { file: string; rows: string[][]; header: string[] }>): string {
  const file = specFileOf(id);
  const out: string[] = [];
  const result = jestByFile.get(id);
  const rule = result?.assertionResults[0]?.ancestorTitles[0] ?? (file ? ruleTitle(file) : '');
  const failed = result?.assertionResults.some((a) => a.status === 'failed') || result?.status === 'failed';
  out.push(`<section class="spec" id="rule-${id}" data-spec="${id}">`);
  out.push(`<h3><code>${esc(id)}</code> · ${esc(rule)}${failed ? ' <span class="status" style="color:var(--fail)">(fails)</span>' : ''}</h3>`);
  if (file) out.push(`<p class="rule-head"><a href="../../${file}">${file}</a></p><details><summary>The rule, its source and its releases (the spec's header)</summary><pre>${esc(headerComment(file))}</pre></details>`);
  if (result) {
    if (result.assertionResults.length === 0 && result.message) out.push(`<pre>${esc(plain(result.message).split('\n').slice(0, 12).join('\n'))}</pre>`);
    const evidence = input.evidence.get(id);
    result.assertionResults.forEach((a, i) => out.push(expectationHtml(a, id, evidence?.get(a.fullName), i)));
  } else if (lanes.has(id)) {
    const lane = lanes.get(id)!;
    out.push(`<p class="muted">Not in this run: from <a href="../${lane.file}">results/${lane.file}</a> (${esc(lane.header.join(' · '))}).</p>`);
    lane.rows.forEach((row, i) => {
      const c = row[1] ?? '';
      const status = c.startsWith('✅') ? 'passed' : c.startsWith('❌') ? 'failed' : 'pending';
      const words = status === 'passed' ? '✓ holds' : status === 'failed' ? `✕ failed${c.slice(1)}` : c ? `○ ${c}` : '—';
      out.push(`<article class="expectation ${status}" id="${id}--${i + 1}" data-spec="${id}"><h4><span class="status">${esc(words)}</span> ${inline(row[0] ?? '')}</h4></article>`);
    });
  } else {
    out.push(`<p class="muted">Not in this run (<code>npm run report -- ${esc(id)}</code>).</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

/** The release matrix, with the cells of results/RESULTS.md. */
export function matrixHtml(runs: TargetResults[]): string {
  if (runs.length === 0) return '<p>No stored runs (results/runs/*.json): <code>npm run test:matrix</code>.</p>';
  const { cols, keys, byKey } = matrixCells(runs);
  const out: string[] = [];
  for (const c of cols) {
    const broken = [...c.runs[0]!.broken].sort();
    if (broken.length > 0) out.push(`<p>Spec files that did not load under ${esc(c.header)}:</p><ul>${broken.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>`);
  }
  out.push('<div class="scroll" tabindex="0" role="region" aria-label="Release matrix, scrolls sideways"><table class="matrix"><caption class="sr">Every expectation on every release run</caption>');
  out.push(`<thead><tr><th scope="col">rule / expectation</th><th scope="col">holds on</th>${cols
    .map((c) => `<th scope="col" title="${esc(c.runs.length > 1 ? `${c.runs.length} releases with identical results` : c.header)}">${esc(c.header)}</th>`)
    .join('')}</tr></thead><tbody>`);
  const totals = cols.map((c) => {
    const r = c.runs[0]!;
    const n = (s: string) => r.tests.filter((t) => t.status === s).length;
    return `${n('passed')} ✓ ${n('failed')} ✕ ${n('skipped')} n/a${r.broken.length ? ` ${r.broken.length} did not load` : ''}`;
  });
  out.push(`<tr class="totals"><th scope="row"><strong>all specs</strong></th><td></td>${totals.map((t) => `<td>${esc(t)}</td>`).join('')}</tr>`);
  let currentFile = '';
  for (const { file, title } of keys) {
    if (file !== currentFile) {
      currentFile = file;
      const id = path.basename(file).replace(/\.spec\.ts$/, '');
      out.push(`<tr class="rule" id="matrix-${id}"><th scope="rowgroup" colspan="${cols.length + 2}"><a href="../../${file}">${esc(id)}</a> · <a href="#rule-${id}">in the course</a></th></tr>`);
    }
    const gate = GATE.exec(title)?.[1] ?? 'every release';
    const words = title.replace(GATE, '').split(' › ').slice(1).join(' › ');
    const cells = cols.map((c, i) => {
      const test = byKey[i]!.get(keyOf({ file, title }));
      if (!test && c.runs[0]!.broken.some((b) => b.startsWith(file))) return 'did not load';
      return cell(test).replace(/\\\|/g, '|');
    });
    const html = cells.map((text, i) => {
      const prev = i > 0 ? cells[i - 1]! : undefined;
      const col = cols[i]!;
      const boundary = prev !== undefined && cols[i - 1]!.runs[0]!.runtime === 'node' && col.runs[0]!.runtime === 'node' && statusClass(prev) !== statusClass(text);
      const release = `v${col.runs[0]!.version}`;
      return resultCell(text, 'td', boundary ? { href: `https://github.com/nodejs/node/releases/tag/${release}`, title: `changed in ${release} (the first release of this column; bisected in helpers/release-gates.ts)` } : undefined);
    });
    out.push(`<tr><th scope="row">${esc(words)}</th><td>${esc(gate)}</td>${html.join('')}</tr>`);
  }
  out.push('</tbody></table></div>');
  return out.join('\n');
}

export function renderPage(input: PageInput): string {
  const jestByFile = new Map(input.jest.testResults.map((f) => [path.basename(f.name).replace(/\.spec\.ts$/, ''), f]));
  const lanes = new Map<string, { file: string; rows: string[][]; header: string[] }>();
  for (const lane of input.lanes) {
    const header = mdCells(lane.md.split('\n').find((l) => l.startsWith('|')) ?? '|').slice(1);
    for (const [id, rows] of laneRows(lane.md)) lanes.set(id, { file: lane.file, rows, header });
  }
  const listed = new Set(input.course.chapters.flatMap((c) => c.specs));
  const rest = [...jestByFile.keys()].filter((id) => !listed.has(id)).sort();
  const chapters = [...input.course.chapters, ...(rest.length ? [{ title: 'Not yet in a chapter (add them to specs/course.json)', specs: rest }] : [])];
  const all = input.jest.testResults.flatMap((f) => f.assertionResults);
  const count = (s: string) => all.filter((a) => a.status === s).length;
  const body: string[] = [];
  body.push(`<header class="page"><h1>HTTP keep-alive in Node.js, seen from the server</h1>
<p>Every rule of the course, each expectation with the connections the server accepted, and the results by release.
Run on Node ${esc(input.node)}, ${esc(input.generated.toISOString().replace('T', ' ').slice(0, 16))} UTC:
<strong>${count('passed')} hold</strong>, <strong>${count('failed')} failed</strong>, ${count('pending')} not on this release.</p>
<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>${chapters.map((c) => `<li><a href="#${slug(c.title)}">${esc(c.title)}</a></li>`).join('')}
<li><a href="#release-matrix">Results by release</a></li>${input.lanes.map((l) => `<li><a href="#${slug(l.file)}">${esc(l.file)}</a></li>`).join('')}</ol></nav></header>`);
  body.push('<main>');
  body.push(`<h2 id="reading">How to read a timeline</h2><p>One row per TCP connection the server accepted, labelled with the client's port (the connection's identity); 0 ms is the moment the first connection was accepted. Hover a bar or a mark for its times; each timeline has the same as text below it.</p>${legend()}`);
  for (const chapter of chapters) {
    body.push(`<section class="chapter" aria-labelledby="${slug(chapter.title)}"><h2 id="${slug(chapter.title)}">${esc(chapter.title)}</h2>`);
    for (const id of chapter.specs) body.push(specHtml(id, input, jestByFile, lanes));
    body.push('</section>');
  }
  body.push(`<section aria-labelledby="release-matrix"><h2 id="release-matrix">Results by release</h2>
<p>From <code>results/runs/*.json</code> (<code>npm run test:matrix</code>), the same cells as <a href="../RESULTS.md">results/RESULTS.md</a>. Neighbouring Node releases with identical results share a column, which names them all; Bun and Deno are measured against the Node release they report. A thick left border marks a boundary: the cell links to the release that changed it. Hover a failure (✕) for its message.</p>
${matrixHtml(input.runs)}</section>`);
  for (const lane of input.lanes) {
    body.push(`<section class="lane" aria-labelledby="${slug(lane.file)}"><h2 id="${slug(lane.file)}">${esc(lane.file)}</h2>${markdown(lane.md.replace(/^# .*\n/, ''), 1)}</section>`);
  }
  body.push('</main><footer><p class="muted">Written by <code>npm run report</code> (scripts/report.ts). No scripts, no network: a static page.</p></footer>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>keep-alive-specs: the course, its connections, its releases</title>
<style>${CSS}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

// ---------------------------------------------------------------------------
// HAR
// ---------------------------------------------------------------------------

/** One HAR 1.2 log for one spec file: a page per test, an entry per request the server saw. */
export function harOf(id: string, byTest: Map<string, TestEvidence>, jest: JestFile | undefined): object {
  const iso = (origin: number, t: number) => new Date(origin + t).toISOString();
  const pages: object[] = [];
  const entries: Array<{ at: number; entry: object }> = [];
  const order = jest ? jest.assertionResults.map((a) => a.fullName) : [...byTest.keys()];
  order.forEach((test, n) => {
    const timelines = timelinesOf(byTest.get(test));
    if (timelines.length === 0) return;
    const pageId = `test_${n + 1}`;
    const start = Math.min(...timelines.map((t) => t.timeOrigin + t.startedAt));
    pages.push({ startedDateTime: new Date(start).toISOString(), id: pageId, title: test, pageTimings: { onContentLoad: -1, onLoad: -1 } });
    for (const t of timelines) {
      for (const c of t.connections) {
        c.requests.forEach((r, i) => {
          const scheme = t.kind === 'https' ? 'https' : 'http';
          const host = r.requestHeaders?.find(([k]) => k.toLowerCase() === 'host')?.[1] ?? `127.0.0.1${t.port ? `:${t.port}` : ''}`;
          const url = /^[a-z]+:\/\//.test(r.url) ? r.url : `${scheme}://${host}${r.url.startsWith('/') ? r.url : `/${r.url}`}`;
          const wait = r.finishedAt !== undefined ? r.finishedAt - r.arrivedAt : 0;
          const header = (list: Array<[string, string]> | undefined) => (list ?? []).map(([name, value]) => ({ name, value }));
          const type = r.responseHeaders?.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
          const length = Number(r.responseHeaders?.find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? -1);
          entries.push({
            at: t.timeOrigin + r.arrivedAt,
            entry: {
              pageref: pageId,
              startedDateTime: iso(t.timeOrigin, r.arrivedAt),
              time: Number(wait.toFixed(3)),
              request: { method: r.method, url, httpVersion: r.httpVersion ?? 'HTTP/1.1', cookies: [], headers: header(r.requestHeaders), queryString: [], headersSize: -1, bodySize: -1 },
              response: {
                status: r.status ?? 0,
                statusText: r.status ? STATUS_CODES[r.status] ?? '' : '',
                httpVersion: r.httpVersion ?? 'HTTP/1.1',
                cookies: [],
                headers: header(r.responseHeaders),
                content: { size: Math.max(length, 0), mimeType: type },
                redirectURL: '',
                headersSize: -1,
                bodySize: length,
                ...(r.finishedAt === undefined ? { _error: `no response: the connection ${closeWords(c)}` } : {}),
              },
              cache: {},
              // The server's view: it sees the accept, not the client's handshake, so a new connection's connect is 0 and a reused one's -1.
              timings: { blocked: -1, dns: -1, connect: i === 0 ? 0 : -1, ssl: t.kind === 'https' ? (i === 0 ? 0 : -1) : -1, send: 0, wait: Number(wait.toFixed(3)), receive: 0 },
              serverIPAddress: '127.0.0.1',
              connection: String(c.peerPort),
              _server: t.label,
              _connectionAccepted: iso(t.timeOrigin, c.acceptedAt),
              _connectionEnd: c.end ? { at: iso(t.timeOrigin, c.end.at), by: c.end.by, how: c.end.how } : 'open when the test ended',
            },
          });
        });
      }
    }
  });
  return {
    log: {
      version: '1.2',
      creator: { name: 'keep-alive-specs npm run report', version: '1', comment: `${id}: what the fixtures' servers saw (helpers/evidence.ts)` },
      pages,
      entries: entries.sort((a, b) => a.at - b.at).map((e) => e.entry),
    },
  };
}

// ---------------------------------------------------------------------------

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(REPORT_DIR, { recursive: true });
  const started = Date.now();
  const status = args.run ? runSuite(args.specs) : 0;
  const jest = JSON.parse(readFileSync(JEST_FILE, 'utf8')) as JestReport;
  const course = JSON.parse(readFileSync(path.join(ROOT, 'specs', 'course.json'), 'utf8')) as Course;
  const evidence = readEvidence();
  const lanes = ['PEERS.md', 'CLIENTS.md', 'SERVERS.md', 'PROXIES.md']
    .filter((f) => existsSync(path.join(ROOT, 'results', f)))
    .map((file) => ({ file, md: readFileSync(path.join(ROOT, 'results', file), 'utf8') }));
  const page = renderPage({ course, jest, evidence, runs: readRuns(), lanes, generated: new Date(jest.startTime || Date.now()), node: process.version });
  writeFileSync(path.join(REPORT_DIR, 'index.html'), page);
  let hars = 0;
  if (args.har) {
    rmSync(HAR_DIR, { recursive: true, force: true });
    mkdirSync(HAR_DIR, { recursive: true });
    const jestByFile = new Map(jest.testResults.map((f) => [path.basename(f.name).replace(/\.spec\.ts$/, ''), f]));
    for (const [id, byTest] of evidence) {
      writeFileSync(path.join(HAR_DIR, `${id}.har`), JSON.stringify(harOf(id, byTest, jestByFile.get(id)), null, 1) + '\n');
      hars++;
    }
  }
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  process.stdout.write(`report: wrote ${rel(path.join(REPORT_DIR, 'index.html'))} (${Math.round(page.length / 1024)} KB)${args.har ? ` and ${hars} HAR files in ${rel(HAR_DIR)}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.exitCode = status;
}

if (require.main === module) main();
