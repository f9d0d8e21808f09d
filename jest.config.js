/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc,
    // Two dependencies need compiling under jest, whose module runtime (on Node 20) can
    // neither require an ES module nor run a dynamic import() without
    // --experimental-vm-modules: jose 6 ships only ES modules, and PGlite's CommonJS build
    // loads Node built-ins with import(). Compiled to CommonJS, both become plain require.
    '^.+/node_modules/jose/.+\\.js$': swc,
    '^.+/node_modules/@electric-sql/pglite/.+\\.cjs$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@electric-sql/pglite)/)'],
  setupFiles: ['<rootDir>/tests/support/env.ts'],
  // Each suite boots real subgraphs and a gateway; two cores, so keep workers low and give boots time.
  maxWorkers: 2,
  testTimeout: 60000,
};
