// Regression: the idle timer a response armed (keepAliveTimeout) keeps running when the next request arrives, instead of server.timeout.
const http = require('node:http');
const https = require('node:https');
/** The idle timer each server socket got at its last response's end, as the server set it. */
const idleTimer = new WeakMap();
for (const Server of [http.Server, https.Server]) {
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (event, ...args) {
    if (event === 'request') {
      const [req, res] = args;
      const socket = req.socket;
      const armed = idleTimer.get(socket);
      // Node has just put server.timeout back (resetSocketTimeout); re-arm the idle timer instead.
      if (armed) socket.setTimeout(armed);
      // Runs after the server's own 'finish' listener, which armed the idle timer.
      res.on('finish', () => idleTimer.set(socket, socket.timeout));
    }
    return emit.call(this, event, ...args);
  };
}
