import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionRegistry } from '../../../local/host/functionsCore';
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
let host: TestHost;

beforeAll(async () => {
  ({ registry, state } = await loadFixtureApp());
  host = await startTestHost(registry);
});
afterAll(async () => {
  await host.close();
});

describe('orchestrations on the local Durable runner', () => {
  it('runs an orchestration that calls an activity, with input, output and custom status', async () => {
    const id = await startOrchestration(host, 'sequence', 'Tokyo');
    const status = await waitForStatus(host, id, ['Completed', 'Failed']);
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.name).toBe('sequence');
    expect(status.input).toBe('Tokyo');
    expect(status.output).toMatchObject({ greeting: 'Hello Tokyo' });
    expect(status.customStatus).toEqual({ step: 'done' });
    const types = (status.history ?? []).map((e) => e.EventType);
    expect(types).toEqual(['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted']);
  });

  it('retries a failing activity with back-off until it succeeds', async () => {
    const id = await startOrchestration(host, 'retrying');
    const status = await waitForStatus(host, id, ['Completed', 'Failed']);
    expect(status.output).toEqual({ attempts: 3 });
    const calls = state.flakyCalls.get(id) ?? [];
    expect(calls).toHaveLength(3);
    const [first = 0, second = 0, third = 0] = calls;
    expect(second - first).toBeGreaterThanOrEqual(400); // first retry interval
    expect(third - second).toBeGreaterThanOrEqual(800); // × backoffCoefficient 2
    const history = status.history ?? [];
    expect(history.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(2);
    expect(history.filter((e) => e.EventType === 'TimerFired')).toHaveLength(2);
  });

  it('fails the retried task after the last attempt, and the orchestrator can catch it', async () => {
    const id = await startOrchestration(host, 'retryExhausted');
    const status = await waitForStatus(host, id, ['Completed', 'Failed']);
    expect(status.runtimeStatus).toBe('Completed');
    expect(JSON.stringify(status.output)).toContain('it always fails');
  });

  it('race: an event before the deadline wins and the timer is cancelled', async () => {
    const id = await startOrchestration(host, 'race', { timeoutMs: 30_000 });
    await waitForStatus(host, id, ['Running']);
    expect(await raiseEvent(host, id, 'decision', { approved: true })).toBe(202);
    const status = await waitForStatus(host, id, ['Completed', 'Failed'], 5_000);
    expect(status.output).toEqual({ winner: 'event', value: { approved: true } });
    expect((status.history ?? []).some((e) => e.EventType === 'TimerFired')).toBe(false);
  });

  it('race: the timer wins when no event comes, and a later event is ignored', async () => {
    const started = Date.now();
    const id = await startOrchestration(host, 'race', { timeoutMs: 1_000 });
    const status = await waitForStatus(host, id, ['Completed', 'Failed'], 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(status.output).toMatchObject({ winner: 'timer' });
    expect(await raiseEvent(host, id, 'decision', { approved: true })).toBe(202); // 410 → the client resolves
    expect((await getStatus(host, id))?.output).toMatchObject({ winner: 'timer' });
  });

  it('race twice: after the timer won the first race, a later event goes to the next wait', async () => {
    const id = await startOrchestration(host, 'raceTwice');
    await waitFor(
      async () => ((await getStatus(host, id))?.history ?? []).find((e) => e.EventType === 'TimerFired'),
      'the first timer to fire',
      5_000,
    );
    // Raise it once the second wait exists (its timer is in the history). durable-functions gives
    // an event to the newest open waiter of its name; while the activity between the races runs,
    // that is still the first race's waiter, which would take it (in Azure too). Under load the
    // test used to hit that window now and then.
    await waitFor(
      async () =>
        ((await getStatus(host, id))?.history ?? []).filter((e) => e.EventType === 'TimerCreated').length >= 2
          ? true
          : undefined,
      'the second race to start',
      5_000,
    );
    expect(await raiseEvent(host, id, 'decision', 'late')).toBe(202);
    const status = await waitForStatus(host, id, ['Completed', 'Failed'], 5_000);
    expect(status.output).toEqual(['timer', 'event:"late"']);
  });

  it('buffers events raised before the orchestrator waits for them, matched by name in order', async () => {
    const id = await startOrchestration(host, 'buffered');
    expect(await raiseEvent(host, id, 'go', 1)).toBe(202);
    expect(await raiseEvent(host, id, 'other', 'ignored')).toBe(202);
    expect(await raiseEvent(host, id, 'go', 2)).toBe(202);
    const status = await waitForStatus(host, id, ['Completed', 'Failed'], 5_000);
    expect(status.output).toEqual([1, 2]);
  });

  it('terminates a waiting instance', async () => {
    const id = await startOrchestration(host, 'waiter');
    await waitForStatus(host, id, ['Running']);
    const response = await fetch(`${host.url}/api/orchestrations/${id}/terminate`, { method: 'POST' });
    expect(response.status).toBe(202);
    const status = await waitForStatus(host, id, ['Terminated']);
    expect(status.output).toBe('stopped by test');
    expect(status.customStatus).toBe('waiting');
    expect(await raiseEvent(host, id, 'never', 1)).toBe(202); // 410 for a terminated instance; the client resolves
  });

  it('reports a failing orchestrator as Failed with its message', async () => {
    const id = await startOrchestration(host, 'failing');
    const status = await waitForStatus(host, id, ['Completed', 'Failed']);
    expect(status.runtimeStatus).toBe('Failed');
    expect(String(status.output)).toContain('the orchestrator gave up');
  });

  it('continues as new with a fresh history until done', async () => {
    const id = await startOrchestration(host, 'counter', 1);
    const status = await waitForStatus(host, id, ['Completed', 'Failed']);
    expect(status.output).toBe('finished at 3');
    expect(status.input).toBe(3);
    expect([1, 2, 3].map((n) => state.countCalls.get(`${id}-${n}`))).toEqual([1, 1, 1]);
    expect((status.history ?? []).filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(1);
  });

  it('starts a long (multi-day) timer as segments and keeps the instance running', async () => {
    const id = await startOrchestration(host, 'longTimer', 8);
    const status = await waitForStatus(host, id, ['Running', 'Failed']);
    expect(status.runtimeStatus).toBe('Running');
    const created = (status.history ?? []).filter((e) => e.EventType === 'TimerCreated');
    expect(created).toHaveLength(1);
    const fireAt = Date.parse(String(created[0]?.FireAt));
    expect(fireAt - Date.parse(status.createdTime)).toBeGreaterThan(2.9 * 24 * 3600 * 1000); // the first 3-day segment
    expect(fireAt - Date.parse(status.createdTime)).toBeLessThan(3.1 * 24 * 3600 * 1000);
  });
});

describe('the Durable management API through df.getClient()', () => {
  it('starts with a chosen instance id, refuses a second start while it runs, lists and purges', async () => {
    const id = `req${Date.now()}`;
    expect(await startOrchestration(host, 'waiter', undefined, id)).toBe(id);
    await waitForStatus(host, id, ['Running']);
    const again = await fetch(`${host.url}/api/orchestrations/waiter/${id}`, { method: 'POST', body: '' });
    expect(again.status).toBe(500); // startNew rejects: the instance exists and is running (409 from the API)
    const direct = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/waiter/${id}`, {
      method: 'POST',
    });
    expect(direct.status).toBe(409);

    const listed = (await (await fetch(`${host.url}/api/orchestrations`)).json()) as {
      instanceId: string;
      runtimeStatus: string;
    }[];
    expect(listed).toContainEqual({ instanceId: id, runtimeStatus: 'Running' });

    const viaClient = (await (await fetch(`${host.url}/api/orchestrations/${id}`)).json()) as {
      runtimeStatus: string;
      customStatus: unknown;
    };
    expect(viaClient).toMatchObject({ runtimeStatus: 'Running', customStatus: 'waiting' });

    await fetch(`${host.url}/api/orchestrations/${id}/terminate`, { method: 'POST' });
    await waitForStatus(host, id, ['Terminated']);
    const purged = (await (await fetch(`${host.url}/api/orchestrations/${id}`, { method: 'DELETE' })).json()) as {
      instancesDeleted: number;
    };
    expect(purged.instancesDeleted).toBe(1);
    expect(await getStatus(host, id)).toBeUndefined();
    expect((await fetch(`${host.url}/api/orchestrations/${id}`)).status).toBe(500); // getStatus rejects on 404
  });

  it('pages instance lists with x-ms-continuation-token', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => startOrchestration(host, 'waiter')));
    const seen = new Set<string>();
    let token: string | null = null;
    let pages = 0;
    do {
      const response: Response = await fetch(`${host.url}/runtime/webhooks/durabletask/instances?top=2`, {
        headers: token === null ? {} : { 'x-ms-continuation-token': token },
      });
      for (const s of (await response.json()) as { instanceId: string }[]) seen.add(s.instanceId);
      token = response.headers.get('x-ms-continuation-token');
      pages += 1;
    } while (token !== null);
    expect(pages).toBeGreaterThan(1);
    for (const id of ids) expect(seen.has(id)).toBe(true);
  });

  it('waitForCompletionOrCreateCheckStatusResponse returns the output', async () => {
    const response = await fetch(`${host.url}/api/start-and-wait`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ greeting: 'Hello waiter' });
  });

  it('answers 404 for unknown instances and 400 for unknown orchestrators', async () => {
    expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/nope`)).status).toBe(404);
    expect(
      (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/nope/raiseEvent/x`, { method: 'POST' })).status,
    ).toBe(404);
    expect(
      (await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/doesNotExist`, { method: 'POST' })).status,
    ).toBe(400);
  });
});
