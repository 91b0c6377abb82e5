// Regression: a keep-alive https agent never keeps a freed socket (every request: new TCP + TLS).
const https = require('node:https');
https.Agent.prototype.keepSocketAlive = function keepSocketAlive() {
  return false;
};
