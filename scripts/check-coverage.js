#!/usr/bin/env node
'use strict';
// check:coverage — specs/COVERAGE.md maps every keep-alive test of Node core and undici to the
// spec that states its rule, or says why it is no rule a user meets. This fails (exit 1, one line
// per problem, naming the row) when:
//   - a linked spec id does not exist as specs/, peers/, clients/ or servers/<id>.spec.ts
//     (a link is [id](path/to/id.spec.ts), relative to specs/, in a row or in prose; its text
//     must be the id);
//   - a row is "covered" without a spec link, or has no reason / rule text at all;
//   - a row's status is not one of: covered, not a user rule, not yet covered;
//   - an upstream test is listed twice;
//   - the Counts table does not match the rows (per group and in all).
// Usage: node scripts/check-coverage.js [--counts] [file.md]   (default: specs/COVERAGE.md)
//   --counts  print the Counts table computed from the rows (to paste), then check.
// Plain Node, no dependencies, no spec run: it reads one file and stats a few dozen paths.

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SPEC_DIRS = ['specs', 'peers', 'clients', 'servers'];
const STATUSES = ['covered', 'not a user rule', 'not yet covered'];
const USAGE = 'usage: node scripts/check-coverage.js [--counts] [file.md]';

function parseArgs(argv) {
  let printCounts = false;
  let file = null;
  for (const arg of argv) {
    if (arg === '--counts') printCounts = true;
    else if (arg === '-h' || arg === '--help') return { help: true };
    else if (arg.startsWith('-')) return { error: `unknown option ${arg}; ${USAGE}` };
    else if (file !== null) return { error: `one file at most; ${USAGE}` };
    else file = arg;
  }
  file = path.resolve(file ?? path.join(ROOT, 'specs', 'COVERAGE.md'));
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return { error: `no such file: ${file}; ${USAGE}` };
  return { printCounts, file };
}

function cells(line) {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|') || t.length < 2) return null;
  return t.slice(1, -1).split('|').map((c) => c.trim());
}

const SPEC_LINK = /\[([^\]]+)\]\(([^)\s]+?\.spec\.ts)\)/g;
const ANY_LINK = /\[([^\]]+)\]\(([^)\s]+)\)/;

function check(file, printCounts) {
  const text = fs.readFileSync(file, 'utf8');
  const name = path.basename(file);
  const problems = [];
  const groups = new Map(); // heading -> { covered, 'not a user rule', 'not yet covered' }
  const declared = new Map(); // heading -> [covered, notUser, notYet, rows]
  const seen = new Map(); // upstream url -> line
  const ids = new Set();
  let heading = null;
  // Every [id](….spec.ts) link in the file, in a row or in prose, must name an existing spec.
  const checkLinks = (line, where, label) => {
    for (const m of line.matchAll(SPEC_LINK)) {
      const [, id, target] = m;
      const resolved = path.resolve(ROOT, 'specs', target);
      const rel = path.relative(ROOT, resolved);
      const dir = rel.split(path.sep)[0];
      if (!SPEC_DIRS.includes(dir) || path.dirname(rel) !== dir) {
        problems.push(`${where}: spec link ${target} is not in ${SPEC_DIRS.join('/, ')}/: ${label}`);
      } else if (path.basename(rel, '.spec.ts') !== id) {
        problems.push(`${where}: link text "${id}" is not the id of ${rel}: ${label}`);
      } else if (!fs.existsSync(resolved)) {
        problems.push(`${where}: spec id "${id}" does not exist (${rel}): ${label}`);
      } else ids.add(rel);
    }
  };

  text.split('\n').forEach((line, i) => {
    const where = `${name}:${i + 1}`;
    const h = /^##\s+(.+?)\s*$/.exec(line);
    if (h) { heading = h[1]; return; }
    const row = cells(line);
    if (!row) { checkLinks(line, where, 'prose'); return; }
    if (/^\|[\s|:-]+\|$/.test(line.trim())) return;
    if (row[0] === 'upstream test' || row[0] === 'group') return; // header rows
    if (heading === 'Counts') {
      const nums = row.slice(1).map(Number);
      if (row.length !== 5 || nums.some((n) => !Number.isInteger(n))) {
        problems.push(`${where}: a Counts row needs a group and four numbers: ${line.trim()}`);
      } else declared.set(row[0], nums);
      return;
    }
    const label = (ANY_LINK.exec(row[0]) || [null, row[0]])[1];
    if (row.length !== 4) {
      problems.push(`${where}: a row needs 4 cells (test | what | status | spec or reason), has ${row.length}: ${label}`);
      return;
    }
    const [test, what, status, reason] = row;
    const link = ANY_LINK.exec(test);
    if (!link) problems.push(`${where}: the first cell must link the upstream test: ${label}`);
    else if (seen.has(link[2])) problems.push(`${where}: ${label} is listed twice (also line ${seen.get(link[2])})`);
    else seen.set(link[2], i + 1);
    if (!what) problems.push(`${where}: says nothing about what ${label} pins down`);
    if (!STATUSES.includes(status)) {
      problems.push(`${where}: status "${status}" is not one of ${STATUSES.join(' / ')}: ${label}`);
      return;
    }
    checkLinks(line, where, label);
    const specsInReason = [...reason.matchAll(SPEC_LINK)].length;
    const words = reason.replace(SPEC_LINK, '').replace(/[\s(),.;:—–-]/g, '');
    if (status === 'covered' && specsInReason === 0) {
      problems.push(`${where}: "covered" but no spec id is linked: ${label}`);
    } else if (status !== 'covered' && !words) {
      problems.push(`${where}: "${status}" needs a line of reason: ${label}`);
    }
    if (heading === null) {
      problems.push(`${where}: a row before any "## group" heading: ${label}`);
      return;
    }
    if (!groups.has(heading)) groups.set(heading, Object.fromEntries(STATUSES.map((s) => [s, 0])));
    groups.get(heading)[status] += 1;
  });

  const total = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const table = ['| group | covered | not a user rule | not yet covered | rows |', '|---|---|---|---|---|'];
  for (const [g, c] of groups) {
    const nums = [...STATUSES.map((s) => c[s]), STATUSES.reduce((n, s) => n + c[s], 0)];
    STATUSES.forEach((s) => { total[s] += c[s]; });
    table.push(`| ${g} | ${nums.join(' | ')} |`);
    const d = declared.get(g);
    if (!d) problems.push(`${name}: group "${g}" has no row in the Counts table (it has ${nums.join(' / ')})`);
    else if (d.join() !== nums.join()) {
      problems.push(`${name}: Counts says ${d.join(' / ')} for "${g}", the rows give ${nums.join(' / ')}`);
    }
  }
  const all = [...STATUSES.map((s) => total[s]), STATUSES.reduce((n, s) => n + total[s], 0)];
  table.push(`| all | ${all.join(' | ')} |`);
  const dAll = declared.get('all');
  if (!dAll) problems.push(`${name}: the Counts table has no "all" row (the rows give ${all.join(' / ')})`);
  else if (dAll.join() !== all.join()) problems.push(`${name}: Counts says ${dAll.join(' / ')} in all, the rows give ${all.join(' / ')}`);
  for (const g of declared.keys()) {
    if (g !== 'all' && !groups.has(g)) problems.push(`${name}: the Counts table names "${g}", which has no rows`);
  }

  if (printCounts) console.log(table.join('\n'));
  if (problems.length) {
    for (const p of problems) console.error(p);
    console.error(`${name}: ${problems.length} problem(s)`);
    return 1;
  }
  console.log(`${name}: ${all[3]} upstream tests — ${all[0]} covered, ${all[1]} not a user rule, ` +
    `${all[2]} not yet covered; ${ids.size} spec ids linked, all exist`);
  return 0;
}

const args = parseArgs(process.argv.slice(2));
if (args.help) { console.log(USAGE); process.exit(0); }
if (args.error) { console.error(args.error); process.exit(2); }
process.exit(check(args.file, args.printCounts));
