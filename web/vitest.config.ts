import { defineConfig } from 'vitest/config';

/** Unit tests of the web app's pure helpers (no browser: pages are covered by the e2e workspace). */
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], environment: 'node', env: { TZ: 'UTC' } },
});
