import { defineConfig } from 'vitest/config';

/**
 * Every database test runs on PGlite, and again on a real PostgreSQL server when
 * TEST_DATABASE_URL is set (CI always sets it). Pure unit tests run once.
 */
const withPostgres = !!process.env.TEST_DATABASE_URL;
const dbTests = ['tests/**/*.test.ts', 'tests/**/*.test.tsx'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: dbTests,
          exclude: ['tests/e2e/**'],
          // One PGlite per worker, shared by the files it runs (it takes seconds to start).
          isolate: false,
          setupFiles: ['tests/support/storage.ts'],
          env: { MOTCUA_TEST_DB: 'pglite' },
        },
      },
      ...(withPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: dbTests,
                exclude: ['tests/e2e/**'],
                isolate: false,
                globalSetup: ['tests/support/postgres-global-setup.ts'],
                setupFiles: ['tests/support/storage.ts'],
                env: { MOTCUA_TEST_DB: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
