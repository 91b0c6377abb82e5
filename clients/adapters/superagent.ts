/** superagent with default options (it passes `agent: false` unless given one). */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'superagent',
  package: 'superagent',
  create: (superagent) => ({
    request: async (url, { method, headers, body, timeoutMs }) => {
      let req = superagent(method, url).set(headers ?? {}).buffer(true).ok(() => true);
      if (timeoutMs !== undefined) req = req.timeout(timeoutMs);
      if (body !== undefined) req = req.type('text/plain').send(body);
      const res = await req;
      return { status: res.status, headers: plainHeaders(res.headers), body: res.text };
    },
  }),
});
