/**
 * A V8 code cache for the modules Jest compiles, kept in memory per process.
 *
 * Jest gives every spec file a fresh module registry and compiles each module
 * it loads there — its own test framework (jest-circus, expect, jest-snapshot,
 * pretty-format …), our helpers and the spec — with `vm.compileFunction`,
 * without a code cache. Node releases before 22 do not cache such compiles
 * either, so every spec file paid V8's parse and compile of the same few MB of
 * JavaScript again: 1.3 s of the 2-core machine's CPU per `npm test` on Node
 * 20.20.2 (measured with --cpu-prof, in-band). Here the first compile of a
 * file in a worker produces V8's cached data and later compiles of the same
 * source reuse it; V8 checks the data against the source and rejects a
 * mismatch, in which case this compiles as before. Nothing else changes:
 * same source, same parameters, same context.
 */
const vm = require('node:vm');

const compileFunction = vm.compileFunction;
/** @type {Map<string, { code: string; data: Buffer }>} */
const cache = new Map();

/** @type {typeof vm.compileFunction} */
function cachedCompileFunction(code, params, options) {
  if (!options || typeof options.filename !== 'string' || options.cachedData || options.produceCachedData) {
    return compileFunction(code, params, options);
  }
  const key = `${options.filename}\0${(params ?? []).join(',')}`;
  const hit = cache.get(key);
  if (hit && hit.code === code) {
    const fn = compileFunction(code, params, { ...options, cachedData: hit.data });
    if (!fn.cachedDataRejected) return fn;
  }
  const fn = compileFunction(code, params, { ...options, produceCachedData: true });
  if (fn.cachedData) cache.set(key, { code, data: fn.cachedData });
  return fn;
}

vm.compileFunction = cachedCompileFunction;
