/**
 * How the lane's own adapters are written: `defineClient()` returns a
 * ClientAdapter for the pinned version (so every adapter file meets the same
 * contract as a user's KA_CLIENT file) and, behind it, a way to make a fresh
 * instance of any installed version of the library — a column per version.
 *
 * Libraries are loaded with Node's own require (createRequire), not through
 * Jest's module registry: one copy per worker whatever the spec file, ES
 * module packages (got, ky, node-fetch 3) load through require(esm), and an
 * extra version from the per-user cache loads by its directory.
 */
import * as moduleApi from 'node:module';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ClientAdapter, ClientResponse, RequestOptions } from '../contract';

/**
 * Node's own createRequire. Inside Jest, `require('node:module')` is Jest's
 * stand-in, whose require refuses ES modules before Node 24.9; the lane's
 * test environment (clients/environment.js) hands over the real one.
 */
const createRequire: typeof moduleApi.createRequire =
  (globalThis as { __kaCreateRequire?: typeof moduleApi.createRequire }).__kaCreateRequire ?? moduleApi.createRequire;

export const nodeRequire = createRequire(__filename);

export interface ClientDefinition {
  /** The column's name, e.g. "axios (keepAlive agent)". */
  name: string;
  /** The npm package, e.g. "node-fetch"; none for Node's own http.request and fetch(). */
  package?: string;
  /** Which versions of the package this adapter drives (e.g. "2.x" for node-fetch 2). */
  range?: string;
  /** The directories under clients/node_modules holding the pinned versions, e.g. ["undici-7", "undici"]. */
  pinned?: string[];
  /** The version when there is no package: Node's own clients. */
  version?: () => string;
  /** One client, as a user would create it, from the loaded library. */
  create(lib: any): Omit<ClientAdapter, 'name' | 'version'>;
}

export interface Installed {
  /** The package's directory (its package.json lives there). */
  dir: string;
  version: string;
  /** The package's engines.node, if any. */
  engines: string | undefined;
}

export const PINNED_DIR = path.join(__dirname, '..', 'node_modules');

export function installedAt(dir: string): Installed {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
  return { dir, version: pkg.version, engines: pkg.engines?.node };
}

export const DEFINITION = Symbol.for('keep-alive-specs.client-definition');

export type DefinedAdapter = ClientAdapter & { [DEFINITION]: ClientDefinition };

/**
 * The library at `dir` (…/node_modules/<name>), resolved by its name from the
 * folder that holds node_modules, so that its package.json "exports" apply.
 */
export function loadLibrary(dir: string): unknown {
  return createRequire(path.join(path.dirname(path.dirname(dir)), 'index.js'))(path.basename(dir));
}

/** A fresh client of `definition`, driving the library installed at `installed` (none for Node's own). */
export function instantiate(definition: ClientDefinition, installed?: Installed): ClientAdapter {
  const lib = installed ? loadLibrary(installed.dir) : undefined;
  const made = definition.create(lib);
  return { name: definition.name, version: installed?.version ?? definition.version?.() ?? '?', ...made };
}

export function defineClient(definition: ClientDefinition): DefinedAdapter {
  const pinned = definition.package ? installedAt(path.join(PINNED_DIR, definition.pinned?.at(-1) ?? definition.package)) : undefined;
  let instance: ClientAdapter | undefined;
  const get = () => (instance ??= instantiate(definition, pinned));
  return {
    name: definition.name,
    version: pinned?.version ?? definition.version?.() ?? '?',
    request: (url: string, options: RequestOptions): Promise<ClientResponse> => get().request(url, options),
    close: async () => {
      await instance?.close?.();
      instance = undefined;
    },
    [DEFINITION]: definition,
  };
}

/** An AbortSignal for `timeoutMs`, or none. */
export function timeoutSignal(timeoutMs: number | undefined): AbortSignal | undefined {
  return timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
}
