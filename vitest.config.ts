import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Generous: several tests build real corpora through the CLI, and CI machines are shared and slow.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
