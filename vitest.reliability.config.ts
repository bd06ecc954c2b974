/**
 * npm run test:reliability: the long tests (load, slow clients) that do not belong in every `npm test`.
 * One file at a time: each one measures or times something and must not share two cores with another.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['runtime/**/*.reliability.test.ts'],
    pool: 'forks',
    setupFiles: ['runtime/testing/vitest-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
