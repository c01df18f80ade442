import { afterAll, expect, it } from 'vitest';
import { installFunctionsCore } from '../../../local/host/functionsCore';
import { startTestHost, waitFor, type TestHost } from '../durable/harness';

let host: TestHost | undefined;
afterAll(async () => {
  await host?.close();
});

it('runs a timer trigger on its NCRONTAB schedule (from an app setting), never overlapping', async () => {
  process.env.JIT_TEST_TICK_SCHEDULE = '*/1 * * * * *';
  const registry = installFunctionsCore();
  const { tickState } = await import('../../fixtures/durable/timerApp.js');
  host = await startTestHost(registry);
  await waitFor(() => (tickState.runs.length >= 2 ? true : undefined), 'two timer runs', 8_000);
  const [first, second] = tickState.runs;
  expect(first?.timer.scheduleStatus?.next).toEqual(expect.any(String));
  expect(typeof first?.timer.isPastDue).toBe('boolean');
  expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_500);
  expect(tickState.maxConcurrent).toBe(1);
  expect(
    host.logs.some((l) => l.functionName === 'tick' && l.category === 'Function.tick.User' && l.message === 'tick'),
  ).toBe(true);
});
