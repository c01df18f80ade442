import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { HostLogRecord } from '../../local/functionsHost';
import { freePort } from '../../local/ports';
import { CONTOSO, type SeedTenant } from '../../local/sandbox/seed';
import { startStack, type RunningStack, type StackOptions } from '../../local/stack';
import { getServices } from '../../src/composition';
import { testEnv, uniqueName } from './env';
import { StackClient } from './client';
import { connectQuickTargets } from './quickTargets';
import { claimStackAccount } from './stackAccounts';

/**
 * The whole local stack inside this test file's worker (one per worker: the app's settings and
 * function registrations are process-wide). Logs are kept for the secret scans.
 */
export interface TestStack {
  readonly stack: RunningStack;
  readonly client: StackClient;
  readonly logs: HostLogRecord[];
  readonly taskHub: string;
}

export async function startTestStack(options: Pick<StackOptions, 'portalOrigins'> = {}): Promise<TestStack> {
  // Tests run the reconciler when they mean to (POST /ops/reconcile); on its wall-clock schedule
  // (every 5 minutes) it would now and then fire in the middle of a scenario and race it.
  process.env['AzureWebJobs.reconciler.Disabled'] ??= 'true';
  const logs: HostLogRecord[] = [];
  const taskHub = uniqueName('hub');
  const stack = await startStack({
    apiPort: await freePort(),
    sandboxPort: await freePort(),
    tablePort: await freePort(),
    tablesConnectionString: await claimStackAccount(),
    stateDir: join(testEnv('JIT_TEST_DIR'), uniqueName('state')),
    tlsDir: testEnv('JIT_TEST_TLS_DIR'),
    persist: false,
    taskHub,
    seedDemo: true,
    log: (record) => logs.push(record),
    ...options,
  });
  return { stack, client: new StackClient(stack.apiBaseUrl, stack.sandboxUrl), logs, taskHub };
}

/**
 * The usual setup of a file's tests: a stack started before them with the quick targets of
 * `tenants` (seconds-long leases), closed after them. The answer reads the stack once it runs.
 */
export function useQuickStack(tenants: readonly SeedTenant[] = [CONTOSO]): TestStack {
  let started: TestStack | undefined;
  beforeAll(async () => {
    started = await startTestStack();
    await connectQuickTargets(getServices().deps, tenants);
  }, 60_000);
  afterAll(async () => {
    await started?.stack.close();
  });
  const running = (): TestStack => {
    if (started === undefined) throw new Error('the test stack starts in beforeAll');
    return started;
  };
  return {
    get stack() {
      return running().stack;
    },
    get client() {
      return running().client;
    },
    get logs() {
      return running().logs;
    },
    get taskHub() {
      return running().taskHub;
    },
  };
}
