import type { Config } from 'jest';
import base from './scripts/jest.config.cjs';

/**
 * The suite's Jest configuration: one spec file = one rule, printed in course
 * order with what the server saw. It lives in plain JavaScript,
 * scripts/jest.config.cjs, which `npm test` names directly so that Node
 * releases without built-in TypeScript support need not load the TypeScript
 * compiler just to read it; this file is the same configuration, for
 * `npx jest`, editors and the peers lane.
 */
const config: Config = base;

export default config;
