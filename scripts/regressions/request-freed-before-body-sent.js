// Regression: the agent frees a socket at the response end although the request body has not all been sent.
const http = require('node:http');
const original = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(http.ClientRequest.prototype), 'writableFinished');
Object.defineProperty(http.ClientRequest.prototype, 'writableFinished', {
  configurable: true,
  get() {
    return this._ended === true || original.get.call(this);
  },
});
