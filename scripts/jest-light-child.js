// @ts-check
/**
 * One of the light runner's worker processes (scripts/jest-light-pool.js
 * forks it): loads Jest's framework at once, then runs the spec files its
 * parent sends, one at a time (scripts/jest-light-worker.js).
 */
const worker = require('./jest-light-worker.js');

let ending = false;
/** @param {any} message */
async function onMessage(message) {
  if (message.type === 'end') {
    // As jest-worker's children: stop listening and let go of the parent; the
    // process then exits when nothing else holds it (or is killed, if a spec
    // left something open).
    ending = true;
    process.off('message', onMessage);
    process.disconnect?.();
    return;
  }
  if (message.type !== 'run') return;
  setEnv(message.env);
  try {
    process.send?.({ ok: true, result: await worker.run(message.request) });
  } catch (error) {
    const e = /** @type {any} */ (error ?? new Error('"null" or "undefined" thrown'));
    process.send?.({ ok: false, error: typeof e === 'object' ? { ...e, name: e.name, message: String(e.message), stack: e.stack } : { message: String(e) } });
  }
}
/** process.env as the runner's process has it now (what a file changed in it does not reach the next). @param {Record<string, string>} env */
function setEnv(env) {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
}
process.on('message', onMessage);
// A parent that went away without a word (Jest exited, or never ran tests).
process.on('disconnect', () => {
  if (!ending) process.exit(0);
});
worker.preload();
