// Regression: a socket destroyed before its 'close' is still handed to the request queued for it.
const http = require('node:http');
const emit = http.Agent.prototype.emit;
http.Agent.prototype.emit = function (event, socket, options, ...rest) {
  if (event === 'free' && socket && socket.destroyed) {
    const queue = this.requests[this.getName(options)];
    if (queue && queue.length) {
      queue.shift().onSocket(socket);
      return true;
    }
  }
  return emit.call(this, event, socket, options, ...rest);
};
