// Regression: an 'error' on a free pooled socket is swallowed; the socket stays in the pool.
const net = require('node:net');
const once = net.Socket.prototype.once;
net.Socket.prototype.once = function (event, listener) {
  if (event === 'error' && listener && listener.name === 'freeSocketErrorListener') return once.call(this, event, () => {});
  return once.call(this, event, listener);
};
