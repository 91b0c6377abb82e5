// Regression: the agent ignores keepSocketAlive/reuseSocket set on an instance and always runs its own.
const http = require('node:http');
for (const name of ['keepSocketAlive', 'reuseSocket']) {
  const own = http.Agent.prototype[name];
  Object.defineProperty(http.Agent.prototype, name, { configurable: true, get: () => own, set() {} });
}
