/** axios with the keep-alive agent its docs show: `httpAgent: new http.Agent({ keepAlive: true })`. */
import * as http from 'node:http';
import { defineClient } from './define';
import { plainHeaders } from '../contract';

export default defineClient({
  name: 'axios (keepAlive agent)',
  package: 'axios',
  create: (axios) => {
    const httpAgent = new http.Agent({ keepAlive: true });
    const client = (axios.default ?? axios).create({ httpAgent });
    return {
      request: async (url, { method, headers, body, timeoutMs }) => {
        const res = await client.request({ url, method, headers, data: body, timeout: timeoutMs, responseType: 'text', transformResponse: (x: unknown) => x, validateStatus: () => true });
        return { status: res.status, headers: plainHeaders({ ...res.headers }), body: String(res.data) };
      },
      close: async () => httpAgent.destroy(),
    };
  },
});
