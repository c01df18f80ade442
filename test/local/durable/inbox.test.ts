import { TableClient } from '@azure/data-tables';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionRegistry } from '../../../local/host/functionsCore';
import { EventType } from '../../../local/durable/historyEvents';
import { putText } from '../../../local/durable/largeValues';
import { rowKey, TaskHubStore, taskHubTableName } from '../../../local/durable/taskHubStore';
import { testEnv, uniqueName } from '../../support/env';
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

/**
 * The runner keeps each instance's inbox and history in memory and deletes handled messages in the
 * background: nothing raised concurrently may be lost, and a message a stopped runner left in the
 * table must be recognised and dropped, not handled twice.
 */
let registry: FunctionRegistry;
let state: Awaited<ReturnType<typeof loadFixtureApp>>['state'];
const open: TestHost[] = [];

async function start(taskHub = uniqueName('hub')): Promise<TestHost> {
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

describe('the inbox', () => {
  it('delivers every event raised concurrently, while the instance is busy, exactly once', async () => {
    const host = await start();
    const id = await startOrchestration(host, 'buffered');
    const raised = await Promise.all([
      raiseEvent(host, id, 'go', 1),
      ...Array.from({ length: 8 }, (_, i) => raiseEvent(host, id, 'other', i)),
      raiseEvent(host, id, 'go', 2),
    ]);
    expect(raised.every((s) => s === 202)).toBe(true);
    const status = await waitForStatus(host, id, ['Completed', 'Failed'], 5_000);
    expect((status.output as number[]).sort()).toEqual([1, 2]);
    const events = (status.history ?? []).filter((e) => e.EventType === 'EventRaised');
    expect(events.filter((e) => e.Name === 'go')).toHaveLength(2);
  });

  it('drops a handled message that a stopped runner left in the table, and handles the next one', async () => {
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'waiter');
    await waitFor(
      async () => ((await getStatus(first, id))?.customStatus === 'waiting' ? true : undefined),
      'the orchestration to wait',
    );
    await first.close();

    // Put the ExecutionStarted message back, as if the runner had died before deleting it.
    const connection = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const store = await TaskHubStore.open(connection, hub);
    const { instance, history } = (await store.getInstance(id)) ?? { instance: undefined, history: [] };
    const started = history.find((e) => e.EventType === EventType.ExecutionStarted);
    const messageId = started?.Local?.messageId;
    expect(messageId).toBeDefined();
    const taskHub = TableClient.fromConnectionString(connection, taskHubTableName(hub), {
      allowInsecureConnection: true,
    });
    const entity: Record<string, unknown> = {};
    putText(
      entity,
      'Message',
      JSON.stringify({ kind: 'ExecutionStarted', executionId: instance?.executionId, name: 'waiter', input: null }),
      'the message',
    );
    await taskHub.createEntity({ partitionKey: id, rowKey: rowKey.message(messageId ?? ''), ...entity });
    expect(await store.listMessages(id)).toHaveLength(1);

    const second = await start(hub);
    expect(await raiseEvent(second, id, 'never', 'finally')).toBe(202);
    const status = await waitForStatus(second, id, ['Completed', 'Failed'], 5_000);
    expect(status.output).toBe('finally');
    expect((status.history ?? []).filter((e) => e.EventType === 'ExecutionStarted')).toHaveLength(1);
    await waitFor(
      async () => ((await store.listMessages(id)).length === 0 ? true : undefined),
      'the inbox table to be empty',
    );
  });

  it('runs an activity again when its row outlived the episode that consumed its result, drops the duplicate and deletes the row', async () => {
    // An activity's result is handed over in memory; its row stands for it until the consuming
    // episode deletes it. Put the row back, as if the runner had died between the two.
    const hub = uniqueName('hub');
    const first = await start(hub);
    const id = await startOrchestration(first, 'changing');
    await waitFor(
      async () => ((await getStatus(first, id))?.history ?? []).find((e) => e.EventType === 'TaskCompleted'),
      'the activity result',
    );
    await first.close();

    const connection = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
    const store = await TaskHubStore.open(connection, hub);
    const executionId = (await store.getInstance(id))?.instance.executionId ?? '';
    const taskHub = TableClient.fromConnectionString(connection, taskHubTableName(hub), {
      allowInsecureConnection: true,
    });
    const entity: Record<string, unknown> = { ExecutionId: executionId, TaskId: 0, Name: 'hello' };
    putText(entity, 'Input', JSON.stringify('again'), 'the input');
    await taskHub.createEntity({ partitionKey: id, rowKey: rowKey.activity(executionId, 0), ...entity });
    const callsBefore = state.helloCalls;

    const second = await start(hub);
    await waitFor(
      async () => ((await store.listActivities()).some((a) => a.instanceId === id) ? undefined : true),
      'the activity row to be deleted',
    );
    expect(state.helloCalls).toBe(callsBefore + 1); // at least once: it ran again
    expect(await raiseEvent(second, id, 'continue')).toBe(202);
    const status = await waitForStatus(second, id, ['Completed', 'Failed'], 5_000);
    expect(status.output).toBe('done');
    expect((status.history ?? []).filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(1);
  });
});
