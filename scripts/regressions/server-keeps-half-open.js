// Regression: the server keeps a connection the client half-closed (httpAllowHalfOpen forced on), writing responses after the client's FIN.
const http = require('node:http');
Object.defineProperty(http.Server.prototype, 'httpAllowHalfOpen', {
  configurable: true,
  get() {
    return true;
  },
  set() {},
});
