import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, SERVICE_APP, seedAppOf } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { azuriteConnectionString } from '../../local/azurite';
import { userState } from '../support/client';
import {
  killService,
  serviceEnv,
  startService,
  stopStorage,
  type ServiceEnv,
  type StartedService,
} from '../support/service';

/**
 * `npm start` killed outright (SIGKILL to the whole process group) while a lease is active, then
 * started again: the lease still ends on time with the account disabled. Afterwards every table
 * (task hub history included) and everything the processes printed is scanned for secrets.
 */
let service: ServiceEnv | undefined;
const started: StartedService[] = [];
afterAll(async () => {
  for (const s of started) await killService(s.child);
  if (service !== undefined) await stopStorage(service);
});

describe('npm start killed mid-lease', () => {
  it('ends the lease on time after a restart, and leaves no secret in tables, history or output', async () => {
    service = await serviceEnv('restarthub');
    const { client, stateDir, ports } = service;
    const first = await startService(service);
    started.push(first);
    const token = await client.token(HOME_USERS.alice.userPrincipalName);
    const submit = await client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT30S' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    const active = await client.waitForRequest(id, token, (r) => r.status === 'active');
    const account = active.account as { userPrincipalName: string };
    const reveal = await client.api<{ password: string }>('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status, reveal.text).toBe(200);
    const password = reveal.body.password;

    const azuritePid = await readFile(join(stateDir, 'azurite.pid'), 'utf8');
    await killService(first.child);
    const second = await startService(service);
    started.push(second);
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
    const tableService = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
    let scanned = 0;
    for await (const table of tableService.listTables()) {
      const tableClient = TableClient.fromConnectionString(connection, table.name ?? '', {
        allowInsecureConnection: true,
      });
      for await (const entity of tableClient.listEntities()) {
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
