// Regression: the server ends every connection after its response (no persistence).
const http = require('node:http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'request') args[1].shouldKeepAlive = false;
  return emit.call(this, event, ...args);
};
