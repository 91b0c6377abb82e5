/** got with default options (`got.extend()`): http.globalAgent, its default retry policy. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'got',
  package: 'got',
  pinned: ['got-14', 'got'],
  create: (lib) => {
    const got = (lib.default ?? lib).extend({});
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await got(url, { method, headers, body, timeout: timeoutMs === undefined ? undefined : { request: timeoutMs }, throwHttpErrors: false });
        return { status: res.statusCode, headers: plainHeaders(res.headers), body: res.body };
      },
    };
  },
});
