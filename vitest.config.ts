import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short on a loaded 2-core machine (a
    // replica set's majority writes and the browser tests share it with the whole suite).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
