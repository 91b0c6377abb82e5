// Regression: every fetch() waits 250 ms before its request goes out (the stall of undici 8.8.0 - 8.9.x, on every reuse).
const fetch = globalThis.fetch;
globalThis.fetch = async function stalledFetch(...args) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  return fetch.apply(this, args);
};
