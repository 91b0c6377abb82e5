// @ts-check
/**
 * The clients lane's Jest configuration (`npm run test:clients`, via
 * clients/run.ts, which installs the lane's own dependencies first). One spec
 * file per rule, each run once per client column; the libraries are loaded
 * with Node's own require (clients/adapters/define.ts), not transformed.
 *
 * @type {import('jest').Config}
 */
const path = require('node:path');

const config = {
  rootDir: path.join(__dirname, '..'),
  testEnvironment: '<rootDir>/clients/environment.js',
  roots: ['<rootDir>/clients'],
  testMatch: ['<rootDir>/clients/*.spec.ts'],
  // The rules wait on sockets and timers, not on the CPU.
  maxWorkers: 4,
  testTimeout: 15_000,
  transform: { '^.+\\.ts$': ['<rootDir>/scripts/ts-jest-cached.js', {}] },
  reporters: [['summary', { summaryThreshold: 0 }]],
  testEnvironmentOptions: { localStorage: null, sessionStorage: null },
};

module.exports = config;
