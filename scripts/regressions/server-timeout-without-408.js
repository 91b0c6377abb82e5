// Regression: a request that exceeds headersTimeout or requestTimeout is cut off without a 408 response.
const http = require('node:http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'clientError' && args[0] && args[0].code === 'ERR_HTTP_REQUEST_TIMEOUT' && this.listenerCount('clientError') === 0) {
    args[1].destroy();
    return true;
  }
  return emit.call(this, event, ...args);
};
