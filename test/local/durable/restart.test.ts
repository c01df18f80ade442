import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionRegistry } from '../../../local/host/functionsCore';
import { uniqueName } from '../../support/env';
import {
  getStatus,
  loadFixtureApp,
  raiseEvent,
  startOrchestration,
  startTestHost,
  waitFor,
  waitForStatus,
  type TestHost,
} from './harness';

let registry: FunctionRegistry;
let state: Awaited<ReturnType<typeof loadFixtureApp>>['state'];
const open: TestHost[] = [];

async function start(taskHub: string): Promise<TestHost> {
  const host = await startTestHost(registry, taskHub);
  open.push(host);
  return host;
}

beforeAll(async () => {
  ({ registry, state } = await loadFixtureApp());
});
afterEach(async () => {
  for (const host of open.splice(0)) await host.close();
});

describe('the task hub survives a host restart', () => {
  it('a timer pending across a restart fires at its time, and the activity after it runs once', async () => {
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'timerThenActivity', { delayMs: 1_500 });
    await waitFor(
      async () => ((await getStatus(first, id))?.history ?? []).find((e) => e.EventType === 'TimerCreated'),
      'the timer to be created',
    );
    await first.close();

    const second = await start(hub);
    const status = await waitForStatus(second, id, ['Completed', 'Failed'], 10_000);
    const output = status.output as { fireAt: string; resumedAt: string; calls: number };
    expect(Date.parse(output.resumedAt)).toBeGreaterThanOrEqual(Date.parse(output.fireAt));
    expect(Date.parse(output.resumedAt) - Date.parse(output.fireAt)).toBeLessThan(1_000);
    expect(output.calls).toBe(1);
    expect(state.countCalls.get(id)).toBe(1);
  });

  it('a late timer fires as soon as the host is back', async () => {
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'timerThenActivity', { delayMs: 300 });
    await waitFor(
      async () => ((await getStatus(first, id))?.history ?? []).find((e) => e.EventType === 'TimerCreated'),
      'the timer to be created',
    );
    await first.close();
    await new Promise((r) => setTimeout(r, 600));

    const restartedAt = Date.now();
    const second = await start(hub);
    await waitForStatus(second, id, ['Completed'], 5_000);
    expect(Date.now() - restartedAt).toBeLessThan(2_000);
  });

  it('an activity cut off by a shutdown runs again after the restart (at least once)', async () => {
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'blockingActivity');
    await waitFor(() => (state.blockingCalls >= 1 ? true : undefined), 'the activity to start');
    await first.close(); // gives up on the blocked activity after the grace period
    expect(state.blockingCalls).toBe(1);

    const second = await start(hub);
    const status = await waitForStatus(second, id, ['Completed', 'Failed']);
    expect(status.output).toBe('done after 2 call(s)');
    expect(state.blockingCalls).toBe(2);
  });

  it('detects a non-deterministic orchestrator after a code change and fails the instance', async () => {
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'changing');
    await waitFor(
      async () => ((await getStatus(first, id))?.history ?? []).find((e) => e.EventType === 'TaskCompleted'),
      'the first activity',
    );
    await first.close();

    state.changedOrchestratorCode = true;
    try {
      const second = await start(hub);
      expect(await raiseEvent(second, id, 'continue')).toBe(202);
      const status = await waitForStatus(second, id, ['Completed', 'Failed']);
      expect(status.runtimeStatus).toBe('Failed');
      expect(String(status.output)).toMatch(/Non-Deterministic workflow detected/);
      expect(String(status.output)).toContain("'hello'");
      expect(String(status.output)).toContain("CallActivity 'count'");
      expect(second.logs.some((l) => l.level === 'error' && l.message.includes('Non-Deterministic'))).toBe(true);
    } finally {
      state.changedOrchestratorCode = false;
    }
  });
});
