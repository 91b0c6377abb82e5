/**
 * Preloaded by `npm test` (and the matrix, stability and sensitivity runs) into
 * Jest's main process and, through process.execArgv, into every worker.
 *
 * - Lets Jest 30 run on Node 19.0.0–19.3.0, which lack os.availableParallelism()
 *   (added in 19.4.0 and 18.14.0); jest-haste-map calls it when it loads. On
 *   every other release this part does nothing.
 * - Keeps a V8 code cache for the modules Jest compiles per spec file
 *   (scripts/jest-compile-cache.js).
 */
const os = require('node:os');
if (typeof os.availableParallelism !== 'function') os.availableParallelism = () => os.cpus().length;
require('./jest-compile-cache.js');
