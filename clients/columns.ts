/**
 * The lane's columns: every adapter in clients/adapters/ at each pinned
 * version, each extra version `npm run test:clients -- pkg@ver` installed
 * (run.ts passes them in KA_CLIENT_EXTRA), and the user's own adapter
 * (KA_CLIENT). A version whose engines.node the running Node does not
 * satisfy is a column marked "not applicable", never a failure.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import type { ClientAdapter } from './contract';
import { contractBreach } from './contract';
import { DEFINITION, PINNED_DIR, installedAt, instantiate } from './adapters/define';
import type { ClientDefinition, DefinedAdapter, Installed } from './adapters/define';

export interface Column {
  /** "axios@1.21.1": the key of its findings. */
  id: string;
  name: string;
  version: string;
  /** The npm package, for findings gated on its version. */
  package?: string;
  /** Why this column is not run on this Node, e.g. "needs Node >=22". */
  notApplicable?: string;
  /** A fresh client for one test (the user's adapter: the same one each time). */
  open(): ClientAdapter;
  /** Whether open() gives a new client each time, closed after its test. */
  fresh: boolean;
  /** Where the column comes from: the lane's pinned adapters, a version named on the command line, or KA_CLIENT. */
  source: 'pinned' | 'extra' | 'user';
}

export interface ExtraVersion {
  package: string;
  version: string;
  /** The package's directory in the per-user cache. */
  dir: string;
}

const NODE = semver.coerce(process.versions.node)?.version ?? process.versions.node;

export const ADAPTER_DIR = path.join(__dirname, 'adapters');

/** The adapter files: every .ts in adapters/ but the shared define.ts and node-http.ts. */
export function adapterFiles(): string[] {
  return readdirSync(ADAPTER_DIR)
    .filter((f) => f.endsWith('.ts') && !['define.ts', 'node-http.ts'].includes(f))
    .sort()
    .map((f) => path.join(ADAPTER_DIR, f));
}

export function definitions(): ClientDefinition[] {
  return adapterFiles().map((file) => (require(file).default as DefinedAdapter)[DEFINITION]);
}

function libraryColumn(definition: ClientDefinition, installed: Installed, source: Column['source']): Column {
  const engines = installed.engines;
  const notApplicable = engines && !semver.satisfies(NODE, engines) ? `needs Node ${engines}` : undefined;
  return {
    id: `${definition.name}@${installed.version}`,
    name: definition.name,
    version: installed.version,
    package: definition.package,
    notApplicable,
    open: () => instantiate(definition, installed),
    fresh: true,
    source,
  };
}

export function extraVersions(): ExtraVersion[] {
  return process.env.KA_CLIENT_EXTRA ? (JSON.parse(process.env.KA_CLIENT_EXTRA) as ExtraVersion[]) : [];
}

/** Whether `definition` drives `pkg@version` (node-fetch 2 vs 3 by range). */
export function drives(definition: ClientDefinition, pkg: string, version: string): boolean {
  return definition.package === pkg && (!definition.range || semver.satisfies(version, definition.range));
}

/** Loads the user's adapter file; throws with one line saying why it cannot be a column. */
export function loadUserAdapter(file: string): ClientAdapter {
  let mod: { default?: unknown };
  try {
    mod = require(path.resolve(file)) as { default?: unknown };
  } catch (error) {
    // ts-node's "⨯ Unable to compile TypeScript:" says nothing until its next line, the diagnostic.
    const said = String((error as Error).message).split('\n').map((l) => l.trim()).filter(Boolean);
    const first = said[0]?.endsWith(':') && said[1] ? `${said[0]} ${said[1]}` : said[0];
    throw new Error(`KA_CLIENT=${file} does not load: ${first}`);
  }
  const adapter = mod.default ?? mod;
  const breach = contractBreach(adapter);
  if (breach) throw new Error(`KA_CLIENT=${file} breaks the adapter contract: ${breach}`);
  return adapter as ClientAdapter;
}

export function columns(): Column[] {
  const out: Column[] = [];
  const extra = extraVersions();
  for (const definition of definitions()) {
    if (!definition.package) {
      const version = definition.version?.() ?? '?';
      out.push({ id: `${definition.name}@${version}`, name: definition.name, version, open: () => instantiate(definition), fresh: true, source: 'pinned' });
      continue;
    }
    for (const dir of definition.pinned ?? [definition.package]) out.push(libraryColumn(definition, installedAt(path.join(PINNED_DIR, dir)), 'pinned'));
    for (const e of extra) if (drives(definition, e.package, e.version)) out.push(libraryColumn(definition, installedAt(e.dir), 'extra'));
  }
  if (process.env.KA_CLIENT) {
    const adapter = loadUserAdapter(process.env.KA_CLIENT);
    // Its own column even when it names a lane client (a wrapper around axios called "axios", version "1.21.1"):
    // the findings recorded for that name and version are then what it is held to.
    out.push({ id: `${adapter.name}@${adapter.version} (KA_CLIENT)`, name: adapter.name, version: adapter.version, open: () => adapter, fresh: false, source: 'user' });
  }
  return out;
}
