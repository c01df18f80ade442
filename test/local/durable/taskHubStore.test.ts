import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { taskHubMetrics } from '../../../local/durable/taskHubMetrics';
import { LOCAL_TASK_HUB_TABLE_PREFIX, rowKey, TaskHubStore } from '../../../local/durable/taskHubStore';
import type { FunctionRegistry } from '../../../local/host/functionsCore';
import { testEnv, uniqueName } from '../../support/env';
import { loadFixtureApp, startOrchestration, startTestHost, waitForStatus, type TestHost } from './harness';

let registry: FunctionRegistry;
let host: TestHost | undefined;
let second: TestHost | undefined;
beforeAll(async () => {
  ({ registry } = await loadFixtureApp());
});
afterAll(async () => {
  await host?.close();
  await second?.close();
});

it("keeps the local task hub in a localdf<hub>TaskHub table, apart from a real Durable extension's <hub>Instances/<hub>History in the same storage", async () => {
  const connection = testEnv('JIT_TEST_TABLES_CONNECTION_STRING');
  const hub = uniqueName('hub');
  // What the real host (func start) leaves in the same Azurite for this hub: its own rows, its own schema.
  const realInstances = TableClient.fromConnectionString(connection, `${hub}Instances`, {
    allowInsecureConnection: true,
  });
  await realInstances.createTable();
  await realInstances.createEntity({
    partitionKey: 'real-instance',
    rowKey: '',
    Name: 'lease',
    RuntimeStatus: 'Running',
  });

  host = await startTestHost(registry, hub);
  const id = await startOrchestration(host, 'sequence', 'tables');
  expect((await waitForStatus(host, id, ['Completed', 'Failed'])).runtimeStatus).toBe('Completed');

  const service = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const table of service.listTables())
    if (table.name?.toLowerCase().includes(hub.toLowerCase())) names.push(table.name);
  expect(names.sort()).toEqual([`${hub}Instances`, `${LOCAL_TASK_HUB_TABLE_PREFIX}${hub}TaskHub`].sort());
  // The real hub's table holds only what the real host wrote.
  const rows: unknown[] = [];
  for await (const row of realInstances.listEntities()) rows.push(row);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ partitionKey: 'real-instance', Name: 'lease' });
});

it('writes each episode in one transaction and reads back nothing it wrote: start 1, then 1 per episode', async () => {
  second = await startTestHost(registry);
  const before = taskHubMetrics();
  const id = await startOrchestration(second, 'sequence', 'round trips');
  // Polled through the management API: answered from the runner's write-through copy.
  expect((await waitForStatus(second, id, ['Completed', 'Failed'])).runtimeStatus).toBe('Completed');
  const after = taskHubMetrics();
  const delta = (kind: string): number => (after.roundTripsByTable[kind] ?? 0) - (before.roundTripsByTable[kind] ?? 0);
  // Two episodes (start → activity scheduled; result → completed) and the start itself.
  expect(after.episodes - before.episodes).toBe(2);
  expect(delta('transaction')).toBe(3);
  expect(after.roundTrips - before.roundTrips).toBe(3);
});

it('commits an episode whose row to delete is already gone (a transaction fails whole on it): the rest is written', async () => {
  const store = await TaskHubStore.open(testEnv('JIT_TEST_TABLES_CONNECTION_STRING'), uniqueName('hub'));
  const now = new Date().toISOString();
  const instance = {
    instanceId: 'gone-row',
    name: 'sequence',
    runtimeStatus: 'Running' as const,
    executionId: 'e1',
    inputText: null,
    outputText: null,
    customStatusText: null,
    createdTime: now,
    lastUpdatedTime: now,
  };
  const started = { messageId: 'm1', message: { kind: 'EventRaised' as const, name: 'go', input: null } };
  expect(await store.createInstance(instance, started)).toBe(true);
  await store.commit('gone-row', {
    timers: [{ executionId: 'e1', timerId: 0, fireAt: new Date(Date.now() + 60_000) }],
    deleteRows: [rowKey.message('m1'), rowKey.activity('e1', 7)], // no activity 7 was ever written
    instance: { ...instance, customStatusText: '"after"' },
  });
  const partition = await store.readPartition('gone-row');
  expect(partition.instance?.customStatusText).toBe('"after"');
  expect(partition.inbox).toEqual([]);
  expect([...partition.pendingWork]).toEqual([rowKey.timer('e1', 0)]);
});
