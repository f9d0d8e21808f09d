/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/tests/support/env.ts'],
  // Each suite boots real subgraphs and a gateway; two cores, so keep workers low and give boots time.
  maxWorkers: 2,
  testTimeout: 60000,
};
