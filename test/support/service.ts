import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../../local/ports';
import { StackClient } from './client';
import { testEnv, uniqueName } from './env';

/**
 * `npm start` as a real child process (its compiled entry), in its own process group so a test can
 * kill it outright. Its Azurite runs in a group of its own and survives such a kill, as storage
 * outlives a crashed app in Azure; `stopStorage` ends it.
 */
export interface ServiceEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly stateDir: string;
  readonly client: StackClient;
  readonly ports: { readonly api: number; readonly sandbox: number; readonly tables: number };
}

export interface StartedService {
  readonly child: ChildProcess;
  readonly output: () => string;
}

export async function serviceEnv(taskHub: string): Promise<ServiceEnv> {
  const ports = { api: await freePort(), sandbox: await freePort(), tables: await freePort() };
  const stateDir = join(testEnv('JIT_TEST_DIR'), uniqueName('state'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JIT_API_PORT: String(ports.api),
    JIT_SANDBOX_PORT: String(ports.sandbox),
    AZURITE_TABLE_PORT: String(ports.tables),
    JIT_PORTAL_PORT: String(await freePort()),
    JIT_STATE_DIR: stateDir,
    JIT_TLS_DIR: testEnv('JIT_TEST_TLS_DIR'),
    JIT_TASK_HUB: taskHub,
  };
  return {
    env,
    stateDir,
    ports,
    client: new StackClient(`http://127.0.0.1:${ports.api}/api`, `https://127.0.0.1:${ports.sandbox}`),
  };
}

export async function startService(service: ServiceEnv): Promise<StartedService> {
  const child = spawn(process.execPath, [resolve('dist/local/start.js')], {
    env: service.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Entra JIT is running.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) {
      await killService(child);
      throw new Error(`npm start did not come up in 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

/** SIGKILL to the whole process group: no clean-up code runs. */
export async function killService(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    return;
  }
  await exited;
}

export async function stopStorage(service: ServiceEnv): Promise<void> {
  const pid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8').catch(() => ''));
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already stopped
    }
  }
}
