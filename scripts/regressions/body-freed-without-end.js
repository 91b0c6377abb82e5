// Regression: the client discards every response body itself, so an unread body no longer pins
// the connection (as if Node dumped bodies nobody reads).
const http = require('node:http');
const emit = http.ClientRequest.prototype.emit;
http.ClientRequest.prototype.emit = function (event, ...args) {
  if (event === 'response') setImmediate(() => args[0].resume());
  return emit.call(this, event, ...args);
};
