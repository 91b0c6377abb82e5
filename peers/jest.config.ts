import type { Config } from 'jest';
import base from '../jest.config';

/**
 * The peers lane: specs against real browsers and servers (Chromium, nginx,
 * Apache httpd), run with `npm run test:peers` after `npm run peers:install`.
 * Kept out of `npm test`, which needs nothing but Node. The global setup
 * fails the whole lane at once, in one line, if a peer is missing.
 */
const config: Config = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/peers'],
  testMatch: ['**/*.spec.ts'],
  globalSetup: '<rootDir>/peers/global-setup.ts',
  // Each browser is a few processes of its own: two spec files at a time on 2 cores.
  maxWorkers: 2,
  testTimeout: 20_000,
  reporters: [
    ['<rootDir>/scripts/course-reporter.js', { evidence: 'all' }],
    '<rootDir>/scripts/peers-table-reporter.js',
    ['summary', { summaryThreshold: 0 }],
  ],
};

export default config;
