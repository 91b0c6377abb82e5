// @ts-check
/**
 * The clients lane's test environment: Jest's node environment, plus Node's
 * own `require` for the client libraries (`globalThis.__kaNodeRequire`).
 * Jest's module registry cannot load ES module packages (got, ky,
 * node-fetch 3) before Node 24.9, and would load every library once per
 * spec file; Node's require(esm) (Node ≥ 20.19) loads them once per worker.
 * The environment runs outside the test's sandbox, so its `require` is Node's.
 */
const NodeEnvironment = require('jest-environment-node').TestEnvironment;
const { createRequire } = require('node:module');

class ClientsEnvironment extends NodeEnvironment {
  /** @param {ConstructorParameters<typeof NodeEnvironment>} args */
  constructor(...args) {
    super(...args);
    this.global.__kaCreateRequire = createRequire;
  }
}

module.exports = ClientsEnvironment;
