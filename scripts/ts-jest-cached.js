// @ts-check
/**
 * ts-jest, loaded only when Jest has no cached output for a file.
 *
 * Jest asks a transformer for a cache key before every file, and only calls
 * `process()` on a miss. ts-jest computes its key through TypeScript's config
 * parser, so every Jest worker loads the TypeScript compiler (about 1.3 s of
 * CPU) even when every file is cached — with four workers on two cores, most
 * of `npm test`'s time. This wrapper computes the key from what determines
 * the output (the source, its path, Jest's and ts-jest's options, tsconfig.json,
 * the ts-jest and TypeScript versions) and hands the work to ts-jest itself
 * on a miss.
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const version = (/** @type {string} */ name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')).version;
const STATIC_KEY = [readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'), version('ts-jest'), version('typescript'), readFileSync(__filename, 'utf8')].join('\0');

module.exports = {
  /** @param {Record<string, unknown>} [options] ts-jest's options, as given in jest.config.ts */
  createTransformer(options = {}) {
    /** @type {any} */
    let tsJest;
    const real = () => (tsJest ??= require('ts-jest').default.createTransformer(options));
    return {
      /** @param {string} source @param {string} file @param {{ configString: string; instrument?: boolean; supportsStaticESM?: boolean }} jestOptions */
      getCacheKey(source, file, jestOptions) {
        return createHash('sha1')
          .update([STATIC_KEY, JSON.stringify(options), jestOptions.configString, String(jestOptions.instrument), String(jestOptions.supportsStaticESM), file, source].join('\0'))
          .digest('hex');
      },
      /** @param {unknown[]} args */
      process(...args) {
        return real().process(...args);
      },
    };
  },
};
