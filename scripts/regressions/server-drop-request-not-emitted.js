// Regression: a request past maxRequestsPerSocket is answered 503 without the server's 'dropRequest' event.
const http = require('node:http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === 'dropRequest') return false;
  return emit.call(this, event, ...args);
};
