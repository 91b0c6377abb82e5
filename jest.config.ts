import type { Config } from 'jest';

/**
 * One spec file = one rule; the output prints every rule as a sentence.
 *
 * get-port is ESM-only (v6+). Jest runs specs as CommonJS here, so get-port's
 * single ESM file is let through ts-jest (allowJs) and compiled to CommonJS
 * like our own TypeScript. This works the same on every Node major (18-26)
 * and needs no --experimental-vm-modules flag.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/specs'],
  testMatch: ['**/*.spec.ts'],
  // The course reporter prints the rules in README's chapter order, with what
  // the server saw (scripts/course-reporter.js); Jest's summary reporter keeps
  // the totals and prints every failure in full.
  reporters: [['<rootDir>/scripts/course-reporter.js', { evidence: 'seed' }], ['summary', { summaryThreshold: 0 }]],
  // The specs wait on sockets and timers, not on the CPU: run more files at
  // once than a 2-core machine's default of one worker.
  maxWorkers: 4,
  testTimeout: 10_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', {}],
    '/node_modules/get-port/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!get-port/)'],
};

export default config;
