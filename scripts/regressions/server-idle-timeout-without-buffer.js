// Regression: the server closes idle connections at exactly keepAliveTimeout (buffer forced to 0).
// Since: Node 22 (Node 18 has no buffer; on 20 it is a constant this cannot reach)
const http = require('node:http');
Object.defineProperty(http.Server.prototype, 'keepAliveTimeoutBuffer', {
  configurable: true,
  get() {
    return 0;
  },
  set() {},
});
