/** undici's `Pool` with `pipelining: 4` (one pool per origin), the option undici documents for pipelining. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'undici Pool (pipelining 4)',
  package: 'undici',
  pinned: ['undici-7', 'undici'],
  create: (undici) => {
    const pools = new Map<string, any>();
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const { origin, pathname, search } = new URL(url);
        let pool = pools.get(origin);
        if (!pool) pools.set(origin, (pool = new undici.Pool(origin, { pipelining: 4 })));
        const res = await pool.request({ path: pathname + search, method, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        return { status: res.statusCode, headers: plainHeaders(res.headers), body: await res.body.text() };
      },
      close: async () => {
        await Promise.all([...pools.values()].map((p) => p.close()));
      },
    };
  },
});
