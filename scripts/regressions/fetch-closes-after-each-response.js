// Regression: fetch()'s dispatcher closes the connection after each response (undici reset: true).
// Node keeps its default undici dispatcher under a global symbol (".1"; Node 26's undici reads
// ".2" and mirrors ".1"); one fetch() creates it. Every dispatcher found is wrapped.
// Since: 18.14.1 (undici 5.14.0, in 18.14.0, has no per-request reset option, so this patch changes nothing there)
fetch('http://127.0.0.1:0/').catch(() => {});
const keys = ['undici.globalDispatcher.1', 'undici.globalDispatcher.2'].map((k) => Symbol.for(k)).filter((k) => globalThis[k]);
if (keys.length === 0) throw new Error('no global undici dispatcher to patch');
for (const key of keys) {
  const real = globalThis[key];
  globalThis[key] = new Proxy(real, {
    get(target, prop) {
      if (prop === 'dispatch') return (options, handler) => target.dispatch({ ...options, reset: true }, handler);
      const value = target[prop];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
