// Regression: the server closes idle connections at exactly keepAliveTimeout (no buffer), and
// the buffer option reads as 0.
const http = require('node:http');
Object.defineProperty(http.Server.prototype, 'keepAliveTimeoutBuffer', {
  configurable: true,
  get() {
    return 0;
  },
  set() {},
});
