// Regression: an https.Agent pools by host and port only, as http.Agent does; TLS options leave the key.
const http = require('node:http');
const https = require('node:https');
https.Agent.prototype.getName = function getName(options = {}) {
  return http.Agent.prototype.getName.call(this, options);
};
