import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file in its own process: fd-leak checks see only that file's sockets, and a
    // blocking syscall in one suite cannot stall another.
    pool: 'forks',
    setupFiles: ['test/setup-fd-leaks.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default'],
  },
});
