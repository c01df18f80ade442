import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { adoptAzurite, startAzurite, type RunningAzurite } from './azurite';
import { installFunctionsCore } from './host/functionsCore';
import { startHost, type HostOptions, type RunningHost } from './host/host';
import { HOME_TENANT_ID, SERVICE_APP } from './sandbox/seed';
import { startSandbox, type RunningSandbox } from './sandbox/server';
import { assertPortsFree, isPortInUse, portHolder, portInUseMessage } from './ports';
import { seedDemoThroughApi, type DemoSeed } from './seedDemo';
import { ensureLocalTls } from './tls';

/**
 * The whole service on loopback with no Azure account (docs/local-stack.md): Azurite for tables and the task
 * hub, the Entra sandbox for sign-in, Graph and Key Vault, and the local Functions host running the
 * compiled function app with the local Durable runner. The app reaches them through its ordinary
 * settings, set here in the environment before the app is loaded.
 */
export interface StackOptions {
  readonly apiPort: number;
  readonly sandboxPort: number;
  readonly tablePort: number;
  readonly stateDir: string;
  /** Where the CA lives; the caller's process must already trust it (NODE_EXTRA_CA_CERTS). */
  readonly tlsDir: string;
  /** false: Azurite in memory (tests); true: persisted under the state dir. */
  readonly persist: boolean;
  readonly taskHub: string;
  /** Load the demo configuration through the admin API: false, the tests' `base`, or `npm start`'s `full` (local/seedDemo.ts). */
  readonly seedDemo: boolean | DemoSeed;
  readonly log?: HostOptions['log'];
  /**
   * Persisted stacks only: called once when storage is lost while running (Azurite gone, or the
   * state dir it serves deleted), so the lease work that can no longer make progress is reported
   * instead of hanging silently. Default: print it to stderr.
   */
  readonly onStorageLost?: (reason: string) => void;
}

export interface RunningStack {
  readonly apiBaseUrl: string;
  readonly sandboxUrl: string;
  readonly caCertPath: string;
  readonly tablesConnectionString: string;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const tls = await ensureLocalTls(options.tlsDir);
  const opened: { close(): Promise<void> }[] = [];
  // Checked before anything starts, so a taken port is one clear message and nothing half-started.
  await assertPortsFree([
    { setting: 'JIT_API_PORT', port: options.apiPort },
    { setting: 'JIT_SANDBOX_PORT', port: options.sandboxPort },
  ]);
  try {
    const azurite = options.persist ? await persistentAzurite(stateDir, options.tablePort) : await startAzurite({ port: options.tablePort });
    opened.push({ close: () => azurite.stop() });
    if (options.persist) {
      const watchdog = watchStorage(stateDir, azurite, options.onStorageLost ?? ((reason) => console.error(reason)));
      opened.push({ close: async () => watchdog.stop() });
    }
    const sandbox: RunningSandbox = await startSandbox({
      port: options.sandboxPort,
      tls: { keyPem: tls.keyPem, certPem: tls.certPem },
      ...(options.persist ? { stateFile: join(stateDir, 'sandbox.json') } : {}),
    });
    opened.push(sandbox);

    const appSettings: Record<string, string> = {
      JIT_HOME_TENANT_ID: HOME_TENANT_ID,
      JIT_API_CLIENT_ID: SERVICE_APP.clientId,
      JIT_AUTHORITY_HOST: sandbox.url,
      JIT_GRAPH_BASE_URL: sandbox.url,
      JIT_KEY_VAULT_URL: sandbox.url,
      JIT_TABLES_CONNECTION_STRING: azurite.connectionString,
      JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
      JIT_TASK_HUB: options.taskHub,
      JIT_SEED_DEMO: String(options.seedDemo !== false),
      JIT_RECONCILE_SCHEDULE: process.env.JIT_RECONCILE_SCHEDULE ?? '0 */5 * * * *',
      AzureWebJobsStorage: azurite.connectionString,
    };
    Object.assign(process.env, appSettings);

    const registry = installFunctionsCore();
    // Loaded only now: the app reads its settings from the environment on first use. import()
    // finds the compiled files under node and the sources under vitest (one module instance each).
    await import('../functions/index.js');

    const host: RunningHost = await startHost({
      port: options.apiPort,
      registry,
      storageConnectionString: azurite.connectionString,
      taskHub: options.taskHub,
      ...(options.log ? { log: options.log } : {}),
    });
    opened.push(host);
    // The demo configuration is made through the admin API, as an admin would make it.
    if (options.seedDemo !== false) await seedDemoThroughApi({ apiBaseUrl: `${host.url}/api`, sandboxUrl: sandbox.url }, options.seedDemo === true ? 'base' : options.seedDemo);
    const stack: RunningStack = {
      apiBaseUrl: `${host.url}/api`,
      sandboxUrl: sandbox.url,
      caCertPath: tls.caPath,
      tablesConnectionString: azurite.connectionString,
      close: () => closeAll(opened),
    };
    await writeFile(join(stateDir, 'stack.json'), JSON.stringify({ apiBaseUrl: stack.apiBaseUrl, sandboxUrl: stack.sandboxUrl, caCertPath: stack.caCertPath }, null, 2));
    return stack;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

/**
 * Azurite persisted under the state dir, in its own process group so a crash of `npm start` does
 * not take storage down with it; the next start adopts it. A clean stop stops it too.
 *
 * Only an Azurite that serves this state dir is adopted: at creation a random marker is written
 * both into Azurite (table JitLocalStack) and next to its data (`azurite.marker`); they must
 * match. An Azurite whose state dir was deleted, or that serves another one, is refused with a
 * message: running on it would put the task hub and the tables somewhere this state dir is not.
 */
async function persistentAzurite(stateDir: string, port: number): Promise<RunningAzurite> {
  const pidFile = join(stateDir, 'azurite.pid');
  const markerFile = join(stateDir, 'azurite.marker');
  const recordedPid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  const marker = (await readFile(markerFile, 'utf8').catch(() => '')).trim();
  let azurite: RunningAzurite;
  if (await isPortInUse(port)) {
    const adopted = Number.isInteger(recordedPid) && recordedPid > 0 ? await adoptAzurite(port, recordedPid) : null;
    if (adopted === null || marker === '' || (await readMarker(adopted.connectionString)) !== marker) {
      const why =
        marker === ''
          ? `this state dir (${stateDir}) has no Azurite of its own (no azurite.marker): the state dir it served was deleted, or it serves another one`
          : `it does not hold this state dir's marker (${markerFile}): it serves another state dir`;
      throw new Error(`${portInUseMessage('AZURITE_TABLE_PORT', port, await portHolder(port))}. Not adopted: ${why}.`);
    }
    azurite = adopted;
  } else {
    azurite = await startAzurite({ port, location: join(stateDir, 'azurite'), detached: true });
    try {
      const written = marker === '' ? randomUUID() : marker;
      await writeMarker(azurite.connectionString, written);
      await writeFile(markerFile, written);
    } catch (error) {
      await azurite.stop();
      throw error;
    }
  }
  if (azurite.pid !== undefined) await writeFile(pidFile, String(azurite.pid));
  return {
    ...azurite,
    stop: async () => {
      await azurite.stop();
      await rm(pidFile, { force: true });
    },
  };
}

const MARKER_TABLE = 'JitLocalStack';
const MARKER_KEY = { partitionKey: 'stack', rowKey: 'stateDirMarker' } as const;

function markerTable(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, MARKER_TABLE, { allowInsecureConnection: true, retryOptions: { maxRetries: 1 } });
}

async function writeMarker(connectionString: string, marker: string): Promise<void> {
  const table = markerTable(connectionString);
  await table.createTable();
  await table.upsertEntity({ ...MARKER_KEY, marker }, 'Replace');
}

async function readMarker(connectionString: string): Promise<string | undefined> {
  try {
    const entity = await markerTable(connectionString).getEntity<{ marker?: unknown }>(MARKER_KEY.partitionKey, MARKER_KEY.rowKey);
    return typeof entity.marker === 'string' ? entity.marker : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every few seconds, checks that the storage this stack runs on is still this state dir's: the
 * marker file is there and Azurite answers with the same marker. Lost twice in a row (a restart
 * of Azurite is not a loss), it is reported once: leases cannot make progress without storage,
 * and they must not hang in `provisioning` with nothing said.
 */
function watchStorage(stateDir: string, azurite: RunningAzurite, onLost: (reason: string) => void): { stop(): void } {
  const intervalMs = Number(process.env.JIT_STORAGE_CHECK_INTERVAL_MS ?? 5_000);
  const markerFile = join(stateDir, 'azurite.marker');
  let failures = 0;
  let reported = false;
  const check = async (): Promise<void> => {
    const expected = (await readFile(markerFile, 'utf8').catch(() => '')).trim();
    const reason =
      expected === ''
        ? `the state dir ${stateDir} was deleted or emptied while running`
        : (await readMarker(azurite.connectionString)) !== expected
          ? `Azurite (${azurite.tableEndpoint}${azurite.pid !== undefined ? `, pid ${azurite.pid}` : ''}) stopped answering or no longer serves this state dir`
          : undefined;
    failures = reason === undefined ? 0 : failures + 1;
    if (reason !== undefined && failures >= 2 && !reported) {
      reported = true;
      onLost(`Entra JIT lost its storage: ${reason}. Leases cannot make progress; stop this stack (Ctrl-C) and start it again.`);
    }
  };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void check().finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function closeAll(opened: { close(): Promise<void> }[]): Promise<void> {
  for (const part of [...opened].reverse()) await part.close().catch(() => undefined);
  opened.length = 0;
}
