/**
 * Mutation testing of the rules and the lifecycle machines (`npm run test:mutation`): would the
 * tests notice a broken rule? Fails below 85% of mutants killed. Not part of `npm run check`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/tenant/*.rules.ts', 'machines/**/*.ts'],
  // A state's `description:` is documentation (nothing reads it at run time): not mutated.
  plugins: ['@stryker-mutator/*', './stryker.ignore-descriptions.mjs'],
  ignorers: ['state-descriptions'],
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress'],
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['.cache', '.data', 'test-artifacts', 'reports', 'bench'],
  cleanTempDir: 'always',
};
