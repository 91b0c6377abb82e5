// Regression: maxSockets and maxTotalSockets are ignored; overlapped requests never queue.
const http = require('node:http');
const addRequest = http.Agent.prototype.addRequest;
http.Agent.prototype.addRequest = function (...args) {
  this.maxSockets = Infinity;
  this.maxTotalSockets = Infinity;
  return addRequest.apply(this, args);
};
