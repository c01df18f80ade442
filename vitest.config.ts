import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/globalSetup.ts'],
    pool: 'forks',
    // Vitest's default on 2 cores is one file at a time, yet an end-to-end file keeps about 40% of a
    // core busy (measured: 11 s of CPU in 29 s for test/e2e/workflow.test.ts): the rest is waiting
    // on leases, approval deadlines and timers. Three files at a time overlap those waits.
    minWorkers: 1,
    maxWorkers: Math.max(3, availableParallelism() + 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The app's structured log lines are asserted through the host's log sink and child process
    // output, not read on the console: keep the test report readable.
    onConsoleLog: (log) => !log.startsWith('{"level":'),
  },
});
