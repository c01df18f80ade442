import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports';
import { isAlive } from '../../local/processes';
import { HOME_USERS } from '../../local/sandbox/seed';
import { startStack } from '../../local/stack';
import { StackClient } from '../support/client';
import { testEnv, uniqueName } from '../support/env';
import { claimStackAccount } from '../support/stackAccounts';

async function waitUntilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

describe('a stack with the sandbox in its own process (the benchmark measures the app alone)', () => {
  it('seeds, signs in and serves the API against the child sandbox over HTTPS, and stops the child on close', async () => {
    process.env['AzureWebJobs.reconciler.Disabled'] ??= 'true';
    const stack = await startStack({
      apiPort: await freePort(),
      sandboxPort: await freePort(),
      tablePort: await freePort(),
      tablesConnectionString: await claimStackAccount(),
      stateDir: join(testEnv('JIT_TEST_DIR'), uniqueName('state')),
      tlsDir: testEnv('JIT_TEST_TLS_DIR'),
      persist: false,
      taskHub: uniqueName('hub'),
      seedDemo: true,
      sandboxInChildProcess: true,
    });
    const sandboxPid = stack.sandboxPid;
    try {
      expect(sandboxPid).toBeDefined();
      expect(sandboxPid).not.toBe(process.pid);
      expect(isAlive(sandboxPid ?? 0)).toBe(true);
      const client = new StackClient(stack.apiBaseUrl, stack.sandboxUrl);
      // The token is signed by the child; the app fetches its keys over HTTPS to validate it.
      const token = await client.token(HOME_USERS.alice.userPrincipalName);
      const entitlements = await client.api<{ items: unknown[] }>('GET', '/entitlements', { token });
      expect(entitlements.status).toBe(200);
      // The demo configuration was seeded through the API against the child's directory.
      expect(entitlements.body.items.length).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
    expect(await waitUntilGone(sandboxPid ?? 0, 5_000)).toBe(true);
  });

  it('refuses a persisted stack with the sandbox in a child process before starting anything', async () => {
    const apiPort = await freePort();
    await expect(
      startStack({
        apiPort,
        sandboxPort: await freePort(),
        tablePort: await freePort(),
        stateDir: join(testEnv('JIT_TEST_DIR'), uniqueName('state')),
        tlsDir: testEnv('JIT_TEST_TLS_DIR'),
        persist: true,
        taskHub: uniqueName('hub'),
        seedDemo: false,
        sandboxInChildProcess: true,
      }),
    ).rejects.toThrow(/only for in-memory stacks/);
  });
});
