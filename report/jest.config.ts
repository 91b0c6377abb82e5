import type { Config } from 'jest';
import base from '../jest.config';

/**
 * The report's browser check: `npm run test:report`, after `npm run report`.
 * Headless Chromium (playwright-core against the machine's Chromium, as the
 * peers lane drives it) opens results/report/index.html from file:// and
 * checks it against the evidence files the report wrote beside it. Kept out
 * of `npm test`, which needs nothing but Node.
 */
const config: Config = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/report'],
  testMatch: ['**/*.spec.ts'],
  // One browser for the whole file; nothing to parallelise.
  maxWorkers: 1,
  testTimeout: 30_000,
  reporters: ['default'],
};

export default config;
