// Regression: a Keep-Alive header the handler sets is dropped, so the server sends its generated one instead.
const http = require('node:http');
const setHeader = http.ServerResponse.prototype.setHeader;
http.ServerResponse.prototype.setHeader = function (name, value) {
  if (String(name).toLowerCase() === 'keep-alive') return this;
  return setHeader.call(this, name, value);
};
