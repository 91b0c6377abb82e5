/** http.request through agentkeepalive's `new HttpAgent()` (defaults: keepAlive, freeSocketTimeout 4 s). */
import { defineClient } from './define';
import { httpRequest } from './node-http';

export default defineClient({
  name: 'agentkeepalive',
  package: 'agentkeepalive',
  create: (lib) => {
    const agent = new (lib.HttpAgent ?? lib)();
    return { request: (url, options) => httpRequest(url, options, agent), close: async () => agent.destroy() };
  },
});
