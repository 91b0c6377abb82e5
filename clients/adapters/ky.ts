/** ky with default options (`ky.create()`): the global fetch(), its default retry policy and 10 s timeout. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'ky',
  package: 'ky',
  pinned: ['ky-1', 'ky'],
  create: (lib) => {
    const ky = (lib.default ?? lib).create({});
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await ky(url, { method, headers, body, throwHttpErrors: false, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) });
        return { status: res.status, headers: plainHeaders(res.headers), body: await res.text() };
      },
    };
  },
});
