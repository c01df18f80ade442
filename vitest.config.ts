import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/globalSetup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The app's structured log lines are asserted through the host's log sink and child process
    // output, not read on the console: keep the test report readable.
    onConsoleLog: (log) => !log.startsWith('{"level":'),
  },
});
