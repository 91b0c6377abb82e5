/** ofetch with default options (`ofetch.create({})`): the global fetch(), its default retry policy. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'ofetch',
  package: 'ofetch',
  create: (lib) => {
    const ofetch = lib.ofetch.create({});
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await ofetch.raw(url, { method, headers, body, timeout: timeoutMs, responseType: 'text', ignoreResponseError: true });
        return { status: res.status, headers: plainHeaders(res.headers), body: String(res._data ?? '') };
      },
    };
  },
});
