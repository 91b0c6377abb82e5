// Regression: req.reusedSocket is never set, so the documented retry pattern never fires.
const http = require('node:http');
const reuseSocket = http.Agent.prototype.reuseSocket;
http.Agent.prototype.reuseSocket = function (socket, req) {
  reuseSocket.call(this, socket, req);
  req.reusedSocket = false;
};
