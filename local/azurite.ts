import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { isAlive } from './processes';

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  readonly port: number;
  /** Persist under this folder; omit for in-memory storage. */
  readonly location?: string;
  /**
   * Run in its own process group, so that it outlives a crash (even SIGKILL) of the process that
   * started it, as Azure Storage outlives a crashed Function App. Azurite saves its tables every
   * 5 s; killing Azurite itself would lose the last writes, killing the app does not.
   */
  readonly detached?: boolean;
  /**
   * Storage accounts to serve besides the well-known one, each with its own tables, all with the
   * well-known key (the test run gives every stack its own account on one Azurite).
   */
  readonly extraAccounts?: readonly string[];
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly tableEndpoint: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export function azuriteConnectionString(port: number, account: string = AZURITE_ACCOUNT): string {
  const tableEndpoint = `http://127.0.0.1:${port}/${account}`;
  return `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${AZURITE_KEY};TableEndpoint=${tableEndpoint};`;
}

/** Starts Azurite's Table service as a child process and waits until it accepts connections. */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const main = require.resolve('azurite/dist/src/table/main.js');
  const args = [
    main,
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(options.port),
    '--disableTelemetry',
    '--silent',
    '--skipApiVersionCheck',
  ];
  if (options.location !== undefined) {
    await mkdir(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  const detached = options.detached === true;
  // AZURITE_ACCOUNTS replaces the well-known account, so it is listed too (format `name:key;…`).
  const env =
    options.extraAccounts === undefined || options.extraAccounts.length === 0
      ? process.env
      : {
          ...process.env,
          AZURITE_ACCOUNTS: [AZURITE_ACCOUNT, ...options.extraAccounts]
            .map((name) => `${name}:${AZURITE_KEY}`)
            .join(';'),
        };
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', detached ? 'ignore' : 'pipe'],
    detached,
    env,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitForPort(options.port, child, () => stderr);
  if (detached) child.unref();
  return {
    connectionString: azuriteConnectionString(options.port),
    tableEndpoint: `http://127.0.0.1:${options.port}/${AZURITE_ACCOUNT}`,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

/** An Azurite left running by an earlier start (see `detached`), if it still answers on its port. */
export async function adoptAzurite(port: number, pid: number): Promise<RunningAzurite | null> {
  if (!isAlive(pid) || !(await canConnect(port))) return null;
  return {
    connectionString: azuriteConnectionString(port),
    tableEndpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    pid,
    stop: () => stopPid(pid),
  };
}

async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`Azurite did not listen on 127.0.0.1:${port} within 20 s: ${stderr()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
