import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports';
import { CONTOSO, HOME_USERS, SERVICE_APP, seedAppOf } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { azuriteConnectionString } from '../../local/azurite';
import { StackClient, userState } from '../support/client';
import { testEnv, uniqueName } from '../support/env';

/**
 * `npm start` killed outright (SIGKILL to the whole process group) while a lease is active, then
 * started again: the lease still ends on time with the account disabled. Afterwards every table
 * (task hub history included) and everything the processes printed is scanned for secrets.
 */
const children: ChildProcess[] = [];
const stateDir = join(testEnv('JIT_TEST_DIR'), uniqueName('state'));
afterAll(async () => {
  for (const child of children) killGroup(child);
  // Storage runs in its own process group (it outlives a crash of the app, as in Azure): stop it.
  const pid = Number(await readFile(join(stateDir, 'azurite.pid'), 'utf8').catch(() => ''));
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already stopped
    }
  }
});

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function startService(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [resolve('dist/local/start.js')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Entra JIT is running.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up in 60 s: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

describe('npm start killed mid-lease', () => {
  it('ends the lease on time after a restart, and leaves no secret in tables, history or output', async () => {
    const ports = { api: await freePort(), sandbox: await freePort(), tables: await freePort() };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      JIT_API_PORT: String(ports.api),
      JIT_SANDBOX_PORT: String(ports.sandbox),
      AZURITE_TABLE_PORT: String(ports.tables),
      JIT_STATE_DIR: stateDir,
      JIT_TLS_DIR: testEnv('JIT_TEST_TLS_DIR'),
      JIT_TASK_HUB: 'restarthub',
    };
    const client = new StackClient(`http://127.0.0.1:${ports.api}/api`, `https://127.0.0.1:${ports.sandbox}`);

    const first = await startService(env);
    const token = await client.token(HOME_USERS.alice.userPrincipalName);
    const submit = await client.api('POST', '/requests', { token, body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT30S' } });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string };
    const reveal = await client.api<{ password: string }>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);
    const password = reveal.body.password;

    const azuritePid = await readFile(join(stateDir, 'azurite.pid'), 'utf8');
    killGroup(first.child);
    await new Promise((r) => first.child.once('exit', r));
    const second = await startService(env);
    // The crash took the app down, not storage: the second start adopted the same Azurite.
    expect(await readFile(join(stateDir, 'azurite.pid'), 'utf8')).toBe(azuritePid);

    const ended = await client.waitForRequest(id, token, (r) => r.status === 'ended', 60_000);
    const lateMs = Date.parse(String(ended.endedAt)) - Date.parse(String(active.expiresAt));
    console.log(`after a kill and restart: expiry → ended ${lateMs} ms`);
    expect(ended.endReason).toBe('expired');
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(15_000);
    expect(userState(await client.state(), CONTOSO.id, account.userPrincipalName)?.accountEnabled).toBe(false);

    // Secret scan: every entity of every table (requests, audit, task hub history and instances).
    const secrets = [password, seedAppOf(CONTOSO).clientSecret, SERVICE_APP.clientSecret];
    const connection = azuriteConnectionString(ports.tables);
    const service = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
    let scanned = 0;
    for await (const table of service.listTables()) {
      const client = TableClient.fromConnectionString(connection, table.name ?? '', { allowInsecureConnection: true });
      for await (const entity of client.listEntities()) {
        const text = JSON.stringify(entity);
        scanned++;
        for (const secret of secrets) expect(text.includes(secret), `secret found in table ${table.name}`).toBe(false);
      }
    }
    expect(scanned).toBeGreaterThan(10);
    const output = first.output() + second.output();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(output.includes(secret), 'secret found in process output').toBe(false);

    // A clean stop (Ctrl-C) stops storage too and says nothing went wrong.
    process.kill(-(second.child.pid ?? 0), 'SIGINT');
    const code = await new Promise((r) => second.child.once('exit', r));
    expect(code).toBe(0);
    await expect(readFile(join(stateDir, 'azurite.pid'), 'utf8')).rejects.toThrow();
  }, 180_000);
});
