// Regression: a keep-alive agent never keeps a freed socket; every request connects anew.
const http = require('node:http');
http.Agent.prototype.keepSocketAlive = function keepSocketAlive() {
  return false;
};
