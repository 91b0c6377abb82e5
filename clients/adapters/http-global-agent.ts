/** http.request with no agent option: http.globalAgent (keepAlive: true since Node 19.0.0). */
import { defineClient } from './define';
import { httpRequest } from './node-http';

export default defineClient({
  name: 'http.request (globalAgent)',
  version: () => process.versions.node,
  create: () => ({ request: (url, options) => httpRequest(url, options, undefined) }),
});
