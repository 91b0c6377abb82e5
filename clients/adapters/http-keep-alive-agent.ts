/** http.request through `new http.Agent({ keepAlive: true })`, one agent per client. */
import * as http from 'node:http';
import { defineClient } from './define';
import { httpRequest } from './node-http';

export default defineClient({
  name: 'http.request (keepAlive Agent)',
  version: () => process.versions.node,
  create: () => {
    const agent = new http.Agent({ keepAlive: true });
    return { request: (url, options) => httpRequest(url, options, agent), close: async () => agent.destroy() };
  },
});
