// Regression: an agent with its own `timeout` puts it on every socket it hands out, over the request's own `timeout` option.
const http = require('node:http');
const addRequest = http.Agent.prototype.addRequest;
http.Agent.prototype.addRequest = function (req, ...args) {
  const agentTimeout = this.options.timeout;
  // 'socket' is emitted (next tick) after the agent has set the request's own timeout on the socket.
  if (agentTimeout) req.once('socket', (socket) => socket.setTimeout(agentTimeout));
  return addRequest.call(this, req, ...args);
};
