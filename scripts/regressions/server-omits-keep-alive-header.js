// Regression: the server stops sending the Keep-Alive header.
const { OutgoingMessage } = require('node:http');
const storeHeader = OutgoingMessage.prototype._storeHeader;
OutgoingMessage.prototype._storeHeader = function (...args) {
  storeHeader.apply(this, args);
  if (typeof this._header === 'string') this._header = this._header.replace(/Keep-Alive: [^\r]*\r\n/i, '');
};
