import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant of `src/tenant/*.rules.ts` and `machines/`
 * (`npm run test:mutation`): the pure ones that prove those files' behaviour, no database.
 */
export default defineConfig({
  test: {
    include: [
      'test/tenant/rules.test.ts',
      'test/tenant/rules-edges.test.ts',
      'test/tenant/grant-limits.rules.test.ts',
      'test/machines/**/*.test.ts',
      'test/lifecycle/provisioning-order.test.ts',
      'test/flows/request/parse.test.ts',
      // The scripts' tests that need no database (diagrams and README blocks).
      'test/scripts/mermaid.test.ts',
      'test/scripts/readme.test.ts',
    ],
    pool: 'forks',
  },
});
