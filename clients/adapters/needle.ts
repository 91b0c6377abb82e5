/** needle with default options: http.globalAgent. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'needle',
  package: 'needle',
  create: (needle) => ({
    request: (url, { method, headers, body, timeoutMs }) =>
      new Promise((resolve, reject) => {
        const options = { headers, parse: false, ...(timeoutMs === undefined ? {} : { response_timeout: timeoutMs }) };
        needle.request(method.toLowerCase(), url, body ?? null, options, (error: unknown, res: any, data: unknown) => {
          if (error) reject(error);
          else resolve({ status: res.statusCode, headers: plainHeaders(res.headers), body: Buffer.isBuffer(data) ? data.toString() : String(data ?? '') });
        });
      }),
  }),
});
