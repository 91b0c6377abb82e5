// Regression: every fetch() waits 250 ms before its request goes out (the stall of undici 8.8.0 - 8.9.x, on every reuse).
{
  // In a block: a top-level `const fetch` in this script would be a global for the type check (allowJs).
  const originalFetch = globalThis.fetch;
  Reflect.set(globalThis, 'fetch', async function stalledFetch(...args) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    return originalFetch.apply(this, args);
  });
}
