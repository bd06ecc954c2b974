import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'runtime/**/*.test.ts',
      'assets/**/*.test.ts',
      'renderer/**/*.test.ts',
      'studio/**/*.test.ts',
      'electron/**/*.test.ts',
      'tools/**/*.test.ts',
    ],
    // Long load and slow-client tests run in `npm run test:reliability` (vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, '**/*.reliability.test.ts'],
    // Actors run in worker threads and tests use real ports: keep files in separate processes.
    pool: 'forks',
    setupFiles: ['runtime/testing/vitest-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
