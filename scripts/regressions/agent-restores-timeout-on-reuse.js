// Regression: a reused socket gets the agent's own timeout back (the fix #53458 asks for), not the hint's timer.
// Since: 19.0.0 (before, the agent does not read the hint, so a reused socket has the agent's timeout anyway)
const http = require('node:http');
const reuseSocket = http.Agent.prototype.reuseSocket;
http.Agent.prototype.reuseSocket = function (socket, req) {
  reuseSocket.call(this, socket, req);
  socket.setTimeout(this.options.timeout || 0);
};
