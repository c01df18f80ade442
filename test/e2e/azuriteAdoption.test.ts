import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOME_USERS, CONTOSO } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import { killService, serviceEnv, startService, type StartedService } from '../support/service';
import { uniqueName } from '../support/env';
import { isAlive, signalQuietly } from '../../local/processes';

/**
 * `npm start` adopts an Azurite left running by an earlier start only when it serves this state
 * dir (the marker written at its creation, in Azurite and in the state dir, must match), and
 * storage lost while running is reported within seconds rather than leaving leases hanging.
 */
const children: StartedService[] = [];
const azuritePids: number[] = [];
afterEach(async () => {
  for (const s of children.splice(0)) await killService(s.child);
  for (const pid of azuritePids.splice(0)) signalQuietly(pid, 'SIGKILL');
});

describe('adopting an Azurite left by an earlier start', () => {
  it('refuses one whose state dir was deleted, saying which pid to stop or which setting to change', async () => {
    const service = await serviceEnv(uniqueName('adopthub'));
    const first = await startService(service);
    children.push(first);
    const azuritePid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8'));
    azuritePids.push(azuritePid);
    await killService(first.child); // a crash: Azurite, in its own process group, lives on
    expect(isAlive(azuritePid)).toBe(true);
    await rm(service.stateDir, { recursive: true, force: true });

    await expect(startService(service)).rejects.toThrow(
      new RegExp(
        `127\\.0\\.0\\.1:${service.ports.tables} \\(AZURITE_TABLE_PORT\\) is already in use by an Azurite left by an earlier Entra JIT stack \\(pid ${azuritePid}, serving [^)]+\\): ` +
          `stop it with \`kill ${azuritePid}\`, or set AZURITE_TABLE_PORT to a free port\\. Not adopted: this state dir \\([^)]+\\) has no Azurite of its own`,
      ),
    );
    // Refused, not stopped: it may hold another checkout's data. Nothing else was left listening.
    expect(isAlive(azuritePid)).toBe(true);
  }, 120_000);

  it('refuses one that serves another state dir (its marker differs)', async () => {
    const service = await serviceEnv(uniqueName('adopthub'));
    const first = await startService(service);
    children.push(first);
    const azuritePid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8'));
    azuritePids.push(azuritePid);
    await killService(first.child);
    await writeFile(join(service.stateDir, 'azurite.marker'), 'a-marker-of-some-other-state-dir');
    await expect(startService(service)).rejects.toThrow(/Not adopted: it does not hold this state dir's marker/);
  }, 120_000);
});

describe('storage lost while running', () => {
  it('Azurite killed: npm start says so and stops within seconds, instead of leaving a lease hanging', async () => {
    const service = await serviceEnv(uniqueName('losthub'));
    const started = await startService(service);
    children.push(started);
    const azuritePid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8'));
    azuritePids.push(azuritePid);
    const token = await service.client.token(HOME_USERS.alice.userPrincipalName);

    process.kill(azuritePid, 'SIGKILL');
    const lostAt = Date.now();
    const submit = await service.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT30S' },
    });
    expect(submit.status, submit.text).toBe(503); // nothing accepted that cannot be kept
    const code = await exitWithin(started, 30_000);
    console.log(`storage lost: reported and stopped after ${Date.now() - lostAt} ms`);
    expect(code).toBe(1);
    expect(started.output()).toMatch(
      /Entra JIT lost its storage: Azurite \([^)]*pid \d+\) stopped answering or no longer serves this state dir/,
    );
  }, 120_000);

  it('state dir deleted: npm start says so and stops', async () => {
    const service = await serviceEnv(uniqueName('losthub'));
    const started = await startService(service);
    children.push(started);
    azuritePids.push(Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8')));
    await rm(service.stateDir, { recursive: true, force: true });
    expect(await exitWithin(started, 30_000)).toBe(1);
    expect(started.output()).toContain(
      `Entra JIT lost its storage: the state dir ${service.stateDir} was deleted or emptied while running`,
    );
  }, 120_000);
});

async function exitWithin(started: StartedService, timeoutMs: number): Promise<number | null> {
  const { child } = started;
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start still running after ${timeoutMs} ms: ${started.output().slice(-2000)}`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
