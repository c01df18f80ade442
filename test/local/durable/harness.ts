import { installFunctionsCore, type FunctionRegistry } from '../../../local/host/functionsCore';
import { startHost, type HostLogRecord, type HostOptions, type RunningHost } from '../../../local/functionsHost';
import { testEnv, uniqueName } from '../../support/env';

export interface TestHost extends RunningHost {
  readonly logs: HostLogRecord[];
  readonly taskHub: string;
}

/** Installs the functions-core shim, then loads the fixture app through the real libraries. */
export async function loadFixtureApp(): Promise<{
  registry: FunctionRegistry;
  state: (typeof import('../../fixtures/durable/app.js'))['fixtureState'];
}> {
  const registry = installFunctionsCore();
  const fixture = await import('../../fixtures/durable/app.js');
  return { registry, state: fixture.fixtureState };
}

export async function startTestHost(
  registry: FunctionRegistry,
  taskHub = uniqueName('hub'),
  options: Partial<HostOptions> = {},
): Promise<TestHost> {
  const logs: HostLogRecord[] = [];
  const host = await startHost({
    port: 0,
    registry,
    storageConnectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING'),
    taskHub,
    log: (record) => logs.push(record),
    shutdownGraceInMs: 200,
    ...options,
  });
  return { ...host, close: () => host.close(), logs, taskHub };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutInMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutInMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface StatusJson {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  history?: { EventType: string; [key: string]: unknown }[];
}

/** Reads an instance's status straight from the management API. */
export async function getStatus(host: RunningHost, instanceId: string): Promise<StatusJson | undefined> {
  const response = await fetch(
    `${host.url}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?showHistory=true&showHistoryOutput=true`,
  );
  if (response.status === 404) return undefined;
  return (await response.json()) as StatusJson;
}

/** Starts an orchestration through the fixture's HTTP function (df.getClient().startNew). */
export async function startOrchestration(
  host: RunningHost,
  name: string,
  input?: unknown,
  instanceId?: string,
): Promise<string> {
  const response = await fetch(
    `${host.url}/api/orchestrations/${name}${instanceId === undefined ? '' : `/${instanceId}`}`,
    {
      method: 'POST',
      body: input === undefined ? '' : JSON.stringify(input),
    },
  );
  if (response.status !== 202)
    throw new Error(`startOrchestration answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export function waitForStatus(
  host: RunningHost,
  instanceId: string,
  statuses: readonly string[],
  timeoutInMs = 10_000,
): Promise<StatusJson> {
  return waitFor(
    async () => {
      const status = await getStatus(host, instanceId);
      return status !== undefined && statuses.includes(status.runtimeStatus) ? status : undefined;
    },
    `instance ${instanceId} to be ${statuses.join(' or ')}`,
    timeoutInMs,
  );
}

export async function raiseEvent(
  host: RunningHost,
  instanceId: string,
  name: string,
  payload?: unknown,
): Promise<number> {
  const response = await fetch(`${host.url}/api/orchestrations/${instanceId}/events/${name}`, {
    method: 'POST',
    body: payload === undefined ? '' : JSON.stringify(payload),
  });
  return response.status;
}
