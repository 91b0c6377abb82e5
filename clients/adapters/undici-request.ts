/** undici's `request()` with its default dispatcher (a fresh `new Agent()` per client, the global one's defaults). */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'undici request()',
  package: 'undici',
  pinned: ['undici-7', 'undici'],
  create: (undici) => {
    const dispatcher = new undici.Agent();
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await undici.request(url, { method, headers, body, dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        return { status: res.statusCode, headers: plainHeaders(res.headers), body: await res.body.text() };
      },
      close: () => dispatcher.close(),
    };
  },
});
