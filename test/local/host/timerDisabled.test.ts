import { afterAll, expect, it } from 'vitest';
import { installFunctionsCore } from '../../../local/host/functionsCore';
import { isFunctionDisabled } from '../../../local/host/timerTriggers';
import { startTestHost, type TestHost } from '../durable/harness';

let host: TestHost | undefined;
afterAll(async () => {
  await host?.close();
});

it('ignores a timer function disabled with AzureWebJobs.<name>.Disabled, as the Functions host does', async () => {
  expect(isFunctionDisabled('tick', { 'AzureWebJobs.tick.Disabled': 'True' })).toBe(true);
  expect(isFunctionDisabled('tick', { AzureWebJobs__tick__Disabled: '1' })).toBe(true);
  expect(isFunctionDisabled('tick', { 'AzureWebJobs.tick.Disabled': 'false' })).toBe(false);
  expect(isFunctionDisabled('tick', {})).toBe(false);

  process.env.JIT_TEST_TICK_SCHEDULE = '*/1 * * * * *';
  process.env['AzureWebJobs.tick.Disabled'] = 'true';
  const registry = installFunctionsCore();
  const { tickState } = await import('../../fixtures/durable/timerApp.js');
  host = await startTestHost(registry);
  // Every second on its schedule, yet not once in 2.5 s.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(tickState.runs).toEqual([]);
});
