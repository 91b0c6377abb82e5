// Regression: the agent's default scheduling becomes 'fifo' instead of 'lifo'.
const http = require('node:http');
const addRequest = http.Agent.prototype.addRequest;
http.Agent.prototype.addRequest = function (...args) {
  if (this.options.scheduling === undefined) this.scheduling = 'fifo';
  return addRequest.apply(this, args);
};
