import { join } from 'node:path';
import type { HostLogRecord } from '../../local/host/host';
import { freePort } from '../../local/ports';
import { startStack, type RunningStack } from '../../local/stack';
import { testEnv, uniqueName } from './env';
import { StackClient } from './client';

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

export async function startTestStack(): Promise<TestStack> {
  const logs: HostLogRecord[] = [];
  const taskHub = uniqueName('hub');
  const stack = await startStack({
    apiPort: await freePort(),
    sandboxPort: await freePort(),
    tablePort: await freePort(),
    stateDir: join(testEnv('JIT_TEST_DIR'), uniqueName('state')),
    tlsDir: testEnv('JIT_TEST_TLS_DIR'),
    persist: false,
    taskHub,
    seedDemo: true,
    log: (record) => logs.push(record),
  });
  return { stack, client: new StackClient(stack.apiBaseUrl, stack.sandboxUrl), logs, taskHub };
}
