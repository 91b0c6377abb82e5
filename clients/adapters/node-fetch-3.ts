/** node-fetch 3.x (npm alias node-fetch-3; an ES module): http.globalAgent unless given an agent. */
import { defineClient, timeoutSignal } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'node-fetch 3',
  package: 'node-fetch',
  range: '3.x',
  pinned: ['node-fetch-3'],
  create: (lib) => {
    const fetch = lib.default ?? lib;
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await fetch(url, { method, headers, body, signal: timeoutSignal(timeoutMs) });
        return { status: res.status, headers: plainHeaders(res.headers.raw()), body: await res.text() };
      },
    };
  },
});
