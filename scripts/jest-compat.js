/**
 * Lets Jest 30 run on Node 19.0.0–19.3.0, which lack os.availableParallelism()
 * (added in 19.4.0 and 18.14.0); jest-haste-map calls it when it loads.
 * `npm test` preloads this file; on every other release it does nothing.
 */
const os = require('node:os');
if (typeof os.availableParallelism !== 'function') os.availableParallelism = () => os.cpus().length;
