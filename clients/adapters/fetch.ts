/** Node's global fetch() (the undici bundled with the release, its global dispatcher). */
import { defineClient, timeoutSignal } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'fetch()',
  version: () => `${process.versions.node} (undici ${process.versions.undici ?? '?'})`,
  create: () => ({
    request: async (url, { method, headers, body, timeoutMs }) => {
      const res = await fetch(url, { method, headers, body, signal: timeoutSignal(timeoutMs) });
      return { status: res.status, headers: plainHeaders(res.headers), body: await res.text() };
    },
  }),
});
