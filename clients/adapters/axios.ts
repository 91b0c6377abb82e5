/** axios with default options (`axios.create()`): Node's http adapter, http.globalAgent. */
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'axios',
  package: 'axios',
  create: (axios) => {
    const client = (axios.default ?? axios).create();
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await client.request({ url, method, headers, data: body, timeout: timeoutMs, responseType: 'text', transformResponse: (x: unknown) => x, validateStatus: () => true });
        return { status: res.status, headers: plainHeaders({ ...res.headers }), body: String(res.data) };
      },
    };
  },
});
