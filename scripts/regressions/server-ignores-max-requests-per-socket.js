// Regression: server.maxRequestsPerSocket has no effect.
const http = require('node:http');
Object.defineProperty(http.Server.prototype, 'maxRequestsPerSocket', {
  configurable: true,
  get() {
    return 0;
  },
  set() {},
});
