import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isPortInUse } from '../../local/ports';
import { testEnv, uniqueName } from '../support/env';
import { killService, serviceEnv, startService, type ServiceEnv } from '../support/service';
import { isAlive, signalQuietly } from '../../local/processes';

/**
 * `npm start` as a newcomer runs it: npm, the package.json start script, the launcher that
 * re-runs itself trusting the local CA, the stack, and its Azurite. A graceful signal to the npm
 * process stops all of it within a few seconds, and a taken port is refused with a message that
 * says which setting to change and which earlier stack holds it.
 */
const leftovers: { pids: number[]; children: ChildProcess[] } = { pids: [], children: [] };
const servers: Server[] = [];

afterEach(async () => {
  for (const child of leftovers.children.splice(0)) await killService(child);
  for (const pid of leftovers.pids.splice(0)) signalQuietly(pid, 'SIGKILL');
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});
afterAll(async () => {
  for (const pid of leftovers.pids) signalQuietly(pid, 'SIGKILL');
});

describe('stopping npm start', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to the npm process stops every process it started and frees every port`, async () => {
      const run = await npmStart();
      const azuritePid = Number(await readFile(join(run.service.stateDir, 'azurite.pid'), 'utf8'));
      const started = [...new Set([...(await descendants(run.npm.pid ?? 0)), azuritePid])];
      leftovers.pids.push(...started);
      // npm's shell is gone (exec): npm → launcher → stack, and the stack's Azurite.
      expect(started.length, `processes: ${started.join(', ')}`).toBeGreaterThanOrEqual(3);
      const ports = Object.values(run.service.ports);
      for (const port of ports) expect(await isPortInUse(port)).toBe(true);

      const sentAt = Date.now();
      process.kill(run.npm.pid ?? 0, signal); // npm alone, as `kill -INT <pid>` does: not its group
      await waitUntil(async () => run.npm.exitCode !== null || run.npm.signalCode !== null, 10_000);
      await waitUntil(
        async () =>
          started.every((pid) => !isAlive(pid)) && (await Promise.all(ports.map(isPortInUse))).every((used) => !used),
        10_000,
      );
      const stoppedMs = Date.now() - sentAt;
      console.log(`${signal}: npm start and its ${started.length} processes stopped in ${stoppedMs} ms`);
      expect(stoppedMs).toBeLessThan(5_000);
      expect(run.npm.exitCode, run.output()).toBe(0);
      await expect(readFile(join(run.service.stateDir, 'azurite.pid'), 'utf8')).rejects.toThrow();
    }, 120_000);
  }
});

describe('a port already in use', () => {
  it('names the setting to change, and the process that holds the port', async () => {
    const service = await serviceEnv(uniqueName('porthub'));
    const squatter = createServer();
    servers.push(squatter);
    await new Promise<void>((r) => squatter.listen(service.ports.sandbox, '127.0.0.1', r));
    const { code, output } = await runToExit(service);
    expect(code).toBe(1);
    expect(output).toContain(
      `127.0.0.1:${service.ports.sandbox} (JIT_SANDBOX_PORT) is already in use by pid ${process.pid}`,
    );
    expect(output).toContain('set JIT_SANDBOX_PORT to a free port');
    // Nothing was half-started: the other ports stay free and no Azurite was left behind.
    expect(await isPortInUse(service.ports.api)).toBe(false);
    expect(await isPortInUse(service.ports.tables)).toBe(false);
  }, 60_000);

  it('held by an earlier stack of ours: says so with its pid, and how to stop it', async () => {
    const service = await serviceEnv(uniqueName('porthub'));
    const first = await startService(service);
    leftovers.children.push(first.child);
    const azuritePid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8'));
    leftovers.pids.push(azuritePid);
    const { code, output } = await runToExit(service);
    expect(code).toBe(1);
    const pid = first.child.pid ?? 0;
    expect(output).toContain(
      `127.0.0.1:${service.ports.api} (JIT_API_PORT) is already in use by an earlier Entra JIT stack (pid ${pid}): stop it with \`kill -INT ${pid}\``,
    );
    expect(output).toContain(`(JIT_SANDBOX_PORT) is already in use by an earlier Entra JIT stack (pid ${pid})`);
    // The advice works: SIGINT to that pid stops it, storage included.
    process.kill(pid, 'SIGINT');
    await waitUntil(async () => !isAlive(pid) && !isAlive(azuritePid), 10_000);
  }, 120_000);
});

interface NpmRun {
  readonly npm: ChildProcess;
  readonly service: ServiceEnv;
  readonly output: () => string;
}

/**
 * Runs the package.json start script through npm, minus its build step (the tests load dist/,
 * built once before them; rebuilding here would rewrite it under the feet of other test files).
 * The launcher is not bypassed: the CA is a fresh one, so it must relaunch itself trusting it.
 */
async function npmStart(): Promise<NpmRun> {
  const script = (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const build = 'npm run build --silent && ';
  expect(script.startsWith(build), `start script: ${script}`).toBe(true);
  const dir = join(testEnv('JIT_TEST_DIR'), uniqueName('npmstart'));
  await mkdir(dir, { recursive: true });
  await symlink(resolve('dist'), join(dir, 'dist'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'start-under-test', private: true, scripts: { start: script.slice(build.length) } }),
  );
  const service = await serviceEnv(uniqueName('npmhub'));
  const env: NodeJS.ProcessEnv = { ...service.env, JIT_TLS_DIR: join(dir, 'tls') };
  delete env.NODE_EXTRA_CA_CERTS;
  env.npm_config_update_notifier = 'false'; // no registry look-up from a test
  const npm = spawn('npm', ['start', '--silent'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  leftovers.children.push(npm);
  let output = '';
  npm.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  npm.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  await waitUntil(async () => {
    if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}: ${output}`);
    return output.includes('Entra JIT is running.');
  }, 60_000);
  return { npm, service, output: () => output };
}

async function runToExit(service: ServiceEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [resolve('dist/local/start.js')], {
    env: service.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  leftovers.children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, output };
}

/** Every process below `root`, read from /proc (Linux). */
async function descendants(root: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parentOf.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
