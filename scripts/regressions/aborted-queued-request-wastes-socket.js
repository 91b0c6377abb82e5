// Regression: a request aborted while queued destroys the socket the agent hands it, instead of handing it on.
const http = require('node:http');
const onSocket = http.ClientRequest.prototype.onSocket;
http.ClientRequest.prototype.onSocket = function (socket, err) {
  if (this.destroyed && socket && !err) socket.destroy();
  return onSocket.call(this, socket, err);
};
