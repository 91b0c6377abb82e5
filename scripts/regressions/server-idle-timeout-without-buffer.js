// Regression: the server closes idle connections at exactly keepAliveTimeout (buffer forced to 0).
// Since: >=22.19.0 <23 || >=24.6.0 (SERVER_IDLE_CLOSE.bufferOption: elsewhere there is no such option to force)
const http = require('node:http');
Object.defineProperty(http.Server.prototype, 'keepAliveTimeoutBuffer', {
  configurable: true,
  get() {
    return 0;
  },
  set() {},
});
