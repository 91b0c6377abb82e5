// Regression: the agent ignores the server's Keep-Alive: timeout hint (Node 18's keepSocketAlive).
// Since: 19.0.0 (AGENT_HINT.ignored: before it, this is how the agent behaves)
const http = require('node:http');
http.Agent.prototype.keepSocketAlive = function keepSocketAlive(socket) {
  socket.setKeepAlive(true, this.keepAliveMsecs);
  socket.unref();
  const agentTimeout = this.options.timeout || 0;
  if (socket.timeout !== agentTimeout) socket.setTimeout(agentTimeout);
  return true;
};
