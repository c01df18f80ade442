import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startAzurite } from './azurite';
import { installFunctionsCore } from './host/functionsCore';
import { startHost, type HostOptions, type RunningHost } from './functionsHost';
import { SANDBOX_APPROVAL_CHANNEL } from './sandbox/botConnector';
import { HOME_TENANT_ID, SERVICE_APP, TEAMS_BOT_APP } from './sandbox/seed';
import { startSandbox, type RunningSandbox } from './sandbox/server';
import { startSandboxProcess, type RunningSandboxProcess } from './sandboxProcess';
import { assertPortsFree } from './ports';
import { portalDistDir, startPortalServer, type PortalSettings, type RunningPortal } from './portalServer';
import { API_SCOPE } from './sandbox/tokens';
import { seedDemoThroughApi, type DemoSeed } from './seedDemo';
import { persistentAzurite, watchStorage } from './stateDirStorage';
import { mapBotFrameworkKeysTo, registerBotEndpoint } from './teamsBot';
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
  /**
   * In-memory stacks only: a Table service already running (the test run's one Azurite, an account
   * per stack), used instead of starting an Azurite of its own and left running on close.
   */
  readonly tablesConnectionString?: string;
  readonly taskHub: string;
  /** Load the demo configuration through the admin API: false, the tests' `base`, or `npm start`'s `full` (local/seedDemo.ts). */
  readonly seedDemo: boolean | DemoSeed;
  readonly log?: HostOptions['log'];
  /**
   * Where a browser app (the portal) is served from, e.g. `http://127.0.0.1:5173`: each becomes a SPA
   * redirect URI (`<origin>/`) on the service's app registration in the sandbox, and the one origin
   * the API's CORS allows, as siteConfig.cors does in Azure. Default: none.
   */
  readonly portalOrigins?: readonly string[];
  /**
   * Persisted stacks only: called once when storage is lost while running (Azurite gone, or the
   * state dir it serves deleted), so the lease work that can no longer make progress is reported
   * instead of hanging silently. Default: print it to stderr.
   */
  readonly onStorageLost?: (reason: string) => void;
  /**
   * Serve the built portal (portal/dist) on this loopback port, signed in through the sandbox and
   * calling this stack's API; its URL is the portal's SPA redirect URI. Absent: no portal.
   */
  readonly portalPort?: number;
  /**
   * In-memory stacks only: run the sandbox in a child process of its own (`local/sandboxProcess.ts`:
   * same TLS dir, its state in memory, stopped on close), so that this process holds only the app,
   * the local host and the local Durable runner (the benchmark measures it apart). Default: in this
   * process. Everything a caller does with the sandbox goes over HTTP (`/_sandbox/…`) either way.
   */
  readonly sandboxInChildProcess?: boolean;
}

export interface RunningStack {
  readonly apiBaseUrl: string;
  readonly sandboxUrl: string;
  readonly caCertPath: string;
  readonly tablesConnectionString: string;
  /** The portal's URL when `portalPort` was given. */
  readonly portalUrl?: string;
  /** The sandbox's process id when it runs in a child process (`sandboxInChildProcess`). */
  readonly sandboxPid?: number;
  /** Azurite's process id when this stack started its own (the benchmark reads its CPU). */
  readonly azuritePid?: number;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const tls = await ensureLocalTls(options.tlsDir);
  if (options.sandboxInChildProcess === true && options.persist)
    throw new Error('sandboxInChildProcess: only for in-memory stacks (the child keeps no state file)');
  const opened: { close(): Promise<void> }[] = [];
  // Checked before anything starts, so a taken port is one clear message and nothing half-started.
  await assertPortsFree([
    { setting: 'JIT_API_PORT', port: options.apiPort },
    { setting: 'JIT_SANDBOX_PORT', port: options.sandboxPort },
    ...(options.portalPort !== undefined ? [{ setting: 'JIT_PORTAL_PORT', port: options.portalPort }] : []),
  ]);
  try {
    let tablesConnectionString: string;
    let azuritePid: number | undefined;
    if (options.persist) {
      const azurite = await persistentAzurite(stateDir, options.tablePort);
      opened.push({ close: () => azurite.stop() });
      const watchdog = watchStorage(stateDir, azurite, options.onStorageLost ?? ((reason) => console.error(reason)));
      opened.push({ close: async () => watchdog.stop() });
      tablesConnectionString = azurite.connectionString;
    } else {
      const tables = await inMemoryTables(options);
      opened.push(tables);
      tablesConnectionString = tables.connectionString;
      azuritePid = tables.pid;
    }
    // The portal's origin is its SPA redirect URI: where sign-in may send a code (and the API's CORS).
    const portalOrigin = options.portalPort !== undefined ? `http://127.0.0.1:${options.portalPort}` : undefined;
    const portalOrigins = [...(options.portalOrigins ?? []), ...(portalOrigin !== undefined ? [portalOrigin] : [])];
    const spaRedirectUris = portalOrigins.map((origin) => `${origin}/`);
    const sandboxProcess: RunningSandboxProcess | undefined =
      options.sandboxInChildProcess === true
        ? await startSandboxProcess({ port: options.sandboxPort, tlsDir: options.tlsDir, spaRedirectUris })
        : undefined;
    const sandbox: RunningSandbox =
      sandboxProcess ??
      (await startSandbox({
        port: options.sandboxPort,
        tls: { keyPem: tls.keyPem, certPem: tls.certPem },
        ...(options.persist ? { stateFile: join(stateDir, 'sandbox.json') } : {}),
        spaRedirectUris,
      }));
    opened.push(sandbox);

    // The Teams bot against the sandbox's Bot Connector (README "Approving from Teams").
    mapBotFrameworkKeysTo(`${sandbox.url}/botframework/v1/.well-known/keys`);
    const appSettings: Record<string, string> = {
      JIT_HOME_TENANT_ID: HOME_TENANT_ID,
      JIT_API_CLIENT_ID: SERVICE_APP.clientId,
      JIT_AUTHORITY_HOST: sandbox.url,
      JIT_GRAPH_BASE_URL: sandbox.url,
      JIT_KEY_VAULT_URL: sandbox.url,
      JIT_TABLES_CONNECTION_STRING: tablesConnectionString,
      JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
      JIT_TASK_HUB: options.taskHub,
      JIT_SEED_DEMO: String(options.seedDemo !== false),
      JIT_RECONCILE_SCHEDULE: process.env.JIT_RECONCILE_SCHEDULE ?? '0 */5 * * * *',
      AzureWebJobsStorage: tablesConnectionString,
      JIT_TEAMS_BOT_APP_ID: TEAMS_BOT_APP.clientId,
      JIT_TEAMS_BOT_CLIENT_SECRET: TEAMS_BOT_APP.clientSecret,
      JIT_TEAMS_APPROVAL_CHANNEL: SANDBOX_APPROVAL_CHANNEL,
      JIT_TEAMS_SERVICE_URL: `${sandbox.url}/teams/`,
    };
    Object.assign(process.env, appSettings);

    const registry = installFunctionsCore();
    // Loaded only now: the app reads its settings from the environment on first use. import()
    // finds the compiled files under node and the sources under vitest (one module instance each).
    await import('../functions/index.js');

    const host: RunningHost = await startHost({
      port: options.apiPort,
      registry,
      storageConnectionString: tablesConnectionString,
      taskHub: options.taskHub,
      ...(options.log ? { log: options.log } : {}),
      ...(portalOrigins.length > 0 ? { cors: { allowedOrigins: portalOrigins } } : {}),
    });
    opened.push(host);
    // The Azure Bot's messaging endpoint: where the Bot Connector stand-in posts activities.
    await registerBotEndpoint(sandbox.url, `${host.url}/api/messages`);
    // The demo configuration is made through the admin API, as an admin would make it.
    if (options.seedDemo !== false)
      await seedDemoThroughApi(
        { apiBaseUrl: `${host.url}/api`, sandboxUrl: sandbox.url },
        options.seedDemo === true ? 'base' : options.seedDemo,
      );
    let portal: RunningPortal | undefined;
    if (options.portalPort !== undefined) {
      portal = await startPortalServer({
        port: options.portalPort,
        distDir: portalDistDir(),
        settings: localPortalSettings(sandbox.url, `${host.url}/api`),
      });
      opened.push(portal);
    }
    const stack: RunningStack = {
      apiBaseUrl: `${host.url}/api`,
      sandboxUrl: sandbox.url,
      caCertPath: tls.caPath,
      tablesConnectionString,
      ...(portal !== undefined ? { portalUrl: portal.url } : {}),
      ...(sandboxProcess !== undefined ? { sandboxPid: sandboxProcess.pid } : {}),
      ...(azuritePid !== undefined ? { azuritePid } : {}),
      close: () => closeAll(opened),
    };
    await writeFile(
      join(stateDir, 'stack.json'),
      JSON.stringify(
        {
          apiBaseUrl: stack.apiBaseUrl,
          sandboxUrl: stack.sandboxUrl,
          caCertPath: stack.caCertPath,
          ...(stack.portalUrl !== undefined ? { portalUrl: stack.portalUrl } : {}),
        },
        null,
        2,
      ),
    );
    return stack;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

/** A test run's shared Table service (left running on close), or an in-memory Azurite of our own. */
async function inMemoryTables(
  options: StackOptions,
): Promise<{ readonly connectionString: string; readonly pid?: number; close(): Promise<void> }> {
  if (options.tablesConnectionString !== undefined)
    return { connectionString: options.tablesConnectionString, close: () => Promise.resolve() };
  const azurite = await startAzurite({ port: options.tablePort });
  return {
    connectionString: azurite.connectionString,
    ...(azurite.pid !== undefined ? { pid: azurite.pid } : {}),
    close: () => azurite.stop(),
  };
}

/** The portal's /config.json for this stack: sign-in at the sandbox's home tenant, the API's delegated scope. */
export function localPortalSettings(sandboxUrl: string, apiBaseUrl: string): PortalSettings {
  return {
    clientId: SERVICE_APP.clientId,
    authority: `${sandboxUrl}/${HOME_TENANT_ID}`,
    apiBaseUrl,
    scope: `api://${SERVICE_APP.clientId}/${API_SCOPE}`,
  };
}

async function closeAll(opened: { close(): Promise<void> }[]): Promise<void> {
  for (const part of [...opened].reverse()) await part.close().catch(() => undefined);
  opened.length = 0;
}
