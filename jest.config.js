/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // Sources import siblings with explicit `.js` extensions (required by Node ESM); map them back to .ts.
  // Examples import the package by name, as users do: map it to the sources.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^rxmqtt$': '<rootDir>/lib/index.ts',
    '^rxmqtt/(node|broker|codec)$': '<rootDir>/lib/$1/index.ts',
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
  // Integration suites start brokers; keep parallelism modest on small machines.
  maxWorkers: 2,
};
