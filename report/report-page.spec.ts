/**
 * Check report-page: the page `npm run report` writes
 * (results/report/index.html) shows what the evidence files beside it say.
 * Opened from file:// in headless Chromium (playwright-core against the
 * machine's Chromium; KA_CHROMIUM or PATH, else /usr/bin/chromium), with a
 * fresh profile and no network:
 *   - it loads with no console error and asks for nothing beyond itself;
 *   - every rule of specs/course.json has its section;
 *   - every timeline has one row per connection the server accepted in that
 *     test, labelled with its client port, a bar per request and the close
 *     mark the evidence gives (who, FIN or RST), in the evidence's order;
 *   - the seed chapter shows one connection reused (two requests on one row)
 *     beside two connections for the counter-case;
 *   - its release matrix has the same cells as results/RESULTS.md;
 *   - headings, header cells and a text alternative per timeline; no sideways
 *     scrolling of the page at a phone's width (390 px).
 * It writes results/report.png, the screenshot README shows.
 *
 * Run: npm run report && npm run test:report
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findPeer } from '../helpers/peers';
import { readEvidence, REPORT_DIR, timelinesOf } from '../scripts/report';

const ROOT = path.join(__dirname, '..');
const PAGE = path.join(REPORT_DIR, 'index.html');
const course = JSON.parse(readFileSync(path.join(ROOT, 'specs', 'course.json'), 'utf8')) as { chapters: Array<{ title: string; specs: string[] }> };

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let profile: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
const consoleErrors: string[] = [];
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(PAGE)) throw new Error(`${path.relative(ROOT, PAGE)} not found: run "npm run report" first`);
  profile = mkdtempSync(path.join(tmpdir(), 'ka-report-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: findPeer('chromium') ?? '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
    timeout: 15_000,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(pathToFileURL(PAGE).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the report page shows the course, its connections and its releases as the evidence has them', () => {
  it('loads from file:// with no console error and no request beyond the page itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requested).toEqual([pathToFileURL(PAGE).href]);
  });

  it('has a section with a heading for every rule of specs/course.json, in its order', async () => {
    const ids = course.chapters.flatMap((c) => c.specs);
    const onPage = await page.$$eval('section.spec', (s) => s.map((e) => (e as HTMLElement).dataset.spec));
    expect(onPage.filter((id) => ids.includes(id!))).toEqual(ids);
    const headings = await page.$$eval('section.spec > h3', (hs) => hs.map((h) => [(h.parentElement as HTMLElement).dataset.spec, h.textContent ?? '']));
    for (const id of ids) expect(headings.find(([spec]) => spec === id)?.[1]).toContain(id);
    const chapters = await page.$$eval('section.chapter > h2', (h) => h.map((e) => e.textContent));
    expect(chapters.slice(0, course.chapters.length)).toEqual(course.chapters.map((c) => c.title));
  });

  it('draws every timeline as the evidence file has it: a row per accepted connection (client port), each request\'s bar and the close mark at their times', async () => {
    const evidence = readEvidence();
    const figures = await page.$$eval('article.expectation', (articles) =>
      articles.map((a) => ({
        spec: (a as HTMLElement).dataset.spec!,
        test: (a as HTMLElement).dataset.test,
        rows: [...a.querySelectorAll('figure.timeline-figure')].flatMap((f) =>
          [...f.querySelectorAll('g.row')].map((r) => ({
            port: Number((r as SVGElement).dataset.port),
            bars: [...r.querySelectorAll('rect.bar')].map((b) => `${(b as SVGElement).dataset.from}–${(b as SVGElement).dataset.to}`),
            close: [...r.querySelectorAll('g.close')].map((c) => `${(c as SVGElement).dataset.by} ${(c as SVGElement).dataset.how} at ${(c as SVGElement).dataset.at}`),
          })),
        ),
        figures: a.querySelectorAll('figure.timeline-figure').length,
      })),
    );
    // And drawn where they say: along each timeline, x grows with time.
    const misplaced = await page.$$eval('svg.timeline', (svgs) =>
      svgs.filter((svg) => {
        const points = [...svg.querySelectorAll('rect.bar')].map((b) => [Number((b as SVGElement).dataset.from), Number(b.getAttribute('x'))] as const);
        points.push(...[...svg.querySelectorAll('g.close')].map((c) => [Number((c as SVGElement).dataset.at), Number((c as SVGElement).dataset.x)] as const));
        points.sort((a, b) => a[0] - b[0]);
        return points.some((p, i) => i > 0 && p[1] < points[i - 1]![1] - 0.11);
      }).length,
    );
    expect(misplaced).toBe(0);
    let compared = 0;
    let connections = 0;
    for (const [spec, byTest] of evidence) {
      for (const [test, e] of byTest) {
        const timelines = timelinesOf(e);
        if (timelines.length === 0) continue;
        const figure = figures.find((f) => f.spec === spec && f.test === test);
        expect({ spec, test, found: figure !== undefined }).toEqual({ spec, test, found: true });
        // Times on the page are ms from the test's first accept, to 0.01 ms.
        const t0 = Math.min(...timelines.flatMap((t) => t.connections.map((c) => c.acceptedAt)));
        const at = (t: number | undefined) => (t === undefined ? '' : (t - t0).toFixed(2));
        const expected = timelines.flatMap((t) =>
          t.connections.map((c) => ({
            port: c.peerPort,
            bars: c.requests.map((r) => `${at(r.arrivedAt)}–${at(r.finishedAt)}`),
            close: c.end ? [`${c.end.by} ${c.end.how} at ${at(c.end.at)}`] : [],
          })),
        );
        expect({ spec, test, rows: figure!.rows }).toEqual({ spec, test, rows: expected });
        compared++;
        connections += expected.length;
      }
    }
    // No figure on the page without its evidence.
    expect(figures.filter((f) => f.figures > 0)).toHaveLength(compared);
    expect(compared).toBeGreaterThan(50);
    expect(connections).toBeGreaterThan(compared);
  });

  it('shows, in the seed chapter, one connection reused (two requests on one row) beside two connections for the counter-case', async () => {
    const rowsOf = (title: string) =>
      page.$$eval('#rule-seed-experiments article.expectation', (articles, t) => {
        const a = articles.find((x) => x.querySelector('h4')?.textContent?.includes(t));
        return a ? [...a.querySelectorAll('g.row')].map((r) => r.querySelectorAll('rect.bar').length) : undefined;
      }, title);
    // The second experiment: one keep-alive agent, the same client port twice.
    expect(await rowsOf('the second (one keep-alive agent')).toEqual([2]);
    // The first: two POSTs at once, two connections ("path2" never reaches a handler: 400 from the parser).
    expect(await rowsOf('the first (no agent, two POSTs at once) uses two connections though')).toHaveLength(2);
    // And chapter 1's global-agent: serial requests share one row; agent: false, one row each.
    const keepsAlive = await page.$$eval('#rule-global-agent article.passed', (articles) => articles.map((a) => [...a.querySelectorAll('g.row')].map((r) => r.querySelectorAll('rect.bar').length)));
    expect(keepsAlive).toContainEqual([1, 1]);
  });

  it('has the release matrix with the same cells as results/RESULTS.md', async () => {
    const md = readFileSync(path.join(ROOT, 'results', 'RESULTS.md'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('|'))
      // Cells are split at " | ": the table escapes a | in a failure message (\\|) but not in a gate
      // ("Node < 20.18.0 || ≥ 21.0.0"), where the pipes touch each other, never a space on both sides.
      .map((l) => l.replace(/^\| ?/, '').replace(/ ?\|$/, '').split(/ \|(?= )/).map((c) => c.trim()))
      .filter((cells) => !/^[-|]+$/.test(cells[0]!))
      .map((cells) => {
        const rule = /^\*\*\[([^\]]+)\]/.exec(cells[0]!);
        if (rule) return [rule[1]!];
        return cells.map((c) => c.replace(/\\\|/g, '|').replace(/^\*\*(.*)\*\*$/, '$1'));
      });
    const html = await page.$$eval('table.matrix tr', (rows) =>
      rows.map((r) => {
        if (r.classList.contains('rule')) return [r.querySelector('a')!.textContent!];
        // A cell's mark is drawn as a glyph; data-mark keeps the table's own (✅, ❌), the words follow it.
        return [...r.children].map((c) => {
          const mark = (c as HTMLElement).dataset.mark;
          return (mark ? `${mark}${c.querySelector('.msg')?.textContent ?? ''}` : c.textContent!).trim();
        });
      }),
    );
    // The totals row says the same numbers in glyphs.
    const totals = (row: string[]) => row.map((c) => c.match(/\d+/g)?.join(' ') ?? c);
    expect(totals(html[1]!)).toEqual(totals(md[1]!));
    expect([html[0], ...html.slice(2)]).toEqual([md[0], ...md.slice(2)]);
    // And each is coloured as its mark says.
    const colours = await page.$$eval('table.matrix td[data-mark]', (tds) => [...new Set(tds.map((td) => `${(td as HTMLElement).dataset.mark} ${td.classList[0]}`))].sort());
    expect(colours.filter((c) => !['✅ pass', '❌ fail', 'n/a na'].includes(c))).toEqual([]);
  });

  it('is usable without sight and without a mouse: one h1, no skipped heading level, header cells, a text alternative per timeline', async () => {
    const levels = await page.$$eval('h1,h2,h3,h4,h5,h6', (hs) => hs.map((h) => Number(h.tagName[1])));
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    expect(levels.filter((l, i) => i > 0 && l > levels[i - 1]! + 1)).toEqual([]);
    expect(await page.$$eval('table', (ts) => ts.filter((t) => t.querySelectorAll('th').length === 0).length)).toBe(0);
    const svgs = await page.$$eval('svg.timeline', (ss) => ss.map((s) => ({ role: s.getAttribute('role'), title: document.getElementById(s.getAttribute('aria-labelledby') ?? '')?.textContent ?? '', text: s.closest('figure')?.querySelectorAll('details li').length ?? 0, rows: s.querySelectorAll('g.row').length })));
    expect(svgs.length).toBeGreaterThan(50);
    for (const s of svgs) {
      expect(s.role).toBe('img');
      expect(s.title).toMatch(/^\d+ connections? accepted/);
      expect(s.text).toBe(s.rows);
    }
  });

  it('fits a phone: at 390 px the page does not scroll sideways (tables and timelines scroll in their own boxes)', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('has a HAR file per spec file (npm run report -- --har): an entry per request the server saw, connection = client port, connect -1 on reuse', () => {
    const harDir = path.join(REPORT_DIR, 'har');
    if (!existsSync(harDir)) throw new Error(`${path.relative(ROOT, harDir)} not found: run "npm run report -- --har" first`);
    let entries = 0;
    for (const [spec, byTest] of readEvidence()) {
      const har = JSON.parse(readFileSync(path.join(harDir, `${spec}.har`), 'utf8')) as { log: { version: string; entries: Array<{ connection: string; timings: { connect: number }; request: { url: string } }> } };
      expect(har.log.version).toBe('1.2');
      const expected = [...byTest.values()].flatMap((e) => timelinesOf(e).flatMap((t) => t.connections.flatMap((c) => c.requests.map((r, i) => ({ connection: String(c.peerPort), connect: i === 0 ? 0 : -1, path: r.url })))));
      const got = har.log.entries.map((e) => ({ connection: e.connection, connect: e.timings.connect, path: e.request.url.replace(/^[a-z]+:\/\/[^/]+/, '') }));
      const key = (x: { connection: string; connect: number; path: string }) => `${x.connection} ${x.connect} ${x.path.replace(/^\/?/, '/')}`;
      expect({ spec, entries: got.map(key).sort() }).toEqual({ spec, entries: expected.map(key).sort() });
      entries += got.length;
    }
    expect(entries).toBeGreaterThan(100);
  });

  it('writes results/report.png: the legend, the seed chapter, and connections closed with FIN and with RST', async () => {
    // The picture README shows: the page as it is, with every other section hidden.
    await page.evaluate(() => {
      const keep = ['seed-experiments', 'global-agent', 'reset-race'];
      document.querySelectorAll<HTMLElement>('nav, section.spec, section.chapter, main > section, footer, details.printed').forEach((e) => (e.style.display = 'none'));
      for (const id of keep) {
        const spec = document.getElementById(`rule-${id}`)!;
        spec.style.display = '';
        (spec.closest('section.chapter') as HTMLElement).style.display = '';
        spec.querySelectorAll<HTMLElement>('article.pending').forEach((a) => (a.style.display = 'none'));
      }
      document.querySelectorAll<HTMLElement>('#rule-reset-race article').forEach((a, i) => i > 1 && (a.style.display = 'none'));
    });
    const file = path.join(ROOT, 'results', 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    await page.reload();
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
  });
});
