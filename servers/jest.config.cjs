// @ts-check
/**
 * The servers lane (`npm run test:servers`, which runs servers/run.ts): one
 * spec file per rule, each run against every server in servers/adapters.ts,
 * findings in servers/findings.json. The frameworks come from
 * servers/node_modules (servers/package.json), never the root's.
 *
 * @type {import('jest').Config}
 */
const path = require('node:path');

const config = {
  rootDir: path.join(__dirname, '..'),
  testEnvironment: 'node',
  roots: ['<rootDir>/servers'],
  // The rules (*.spec.ts, one row of results/SERVERS.md each) and the test of check:server.
  testMatch: ['<rootDir>/servers/*.spec.ts', '<rootDir>/servers/check-server.test.ts'],
  // Each rule waits seconds on sockets, not on the CPU; three files at a time keep
  // the lane's own CPU load (framework loading, ts-node children) off the timings.
  maxWorkers: 3,
  testTimeout: 20_000,
  transform: { '^.+\\.ts$': ['<rootDir>/scripts/ts-jest-cached.js', { tsconfig: '<rootDir>/servers/tsconfig.json' }] },
  testEnvironmentOptions: { localStorage: null, sessionStorage: null },
  modulePathIgnorePatterns: ['<rootDir>/servers/node_modules'],
  reporters: [['summary', { summaryThreshold: 0 }], 'default'],
};

module.exports = config;
