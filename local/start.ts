import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HOME_GROUPS, HOME_USERS, type SeedUser } from './sandbox/seed';
import { messageOf } from '../src/domain/errors';
import { portalDistDir } from './portalServer';
import { startStack, type RunningStack } from './stack';
import { ensureLocalTls } from './tls';

/**
 * `npm start`: the service on its embedded defaults, and the portal (built by `npm start` first).
 * Ports and the state directory come from the environment (JIT_API_PORT, JIT_SANDBOX_PORT,
 * JIT_PORTAL_PORT, AZURITE_TABLE_PORT, JIT_STATE_DIR, JIT_TLS_DIR).
 */
async function main(): Promise<void> {
  const stateDir = resolve(process.env.JIT_STATE_DIR ?? '.local');
  const tlsDir = resolve(process.env.JIT_TLS_DIR ?? join(stateDir, 'tls'));
  const tls = await ensureLocalTls(tlsDir);
  // NODE_EXTRA_CA_CERTS is read only at process start: run again with it set.
  if (process.env.NODE_EXTRA_CA_CERTS !== tls.caPath) {
    if (closing) process.exit(0); // stopped before there was anything to start
    relaunchTrusting(tls.caPath);
    return;
  }
  // Started by the launcher above: a launcher that dies without passing a signal on (SIGKILL)
  // closes the IPC channel, and the stack stops rather than keep the ports.
  process.on('disconnect', () => shutdown());
  const portalBuilt = existsSync(join(portalDistDir(), 'index.html'));
  const stack = await startStack({
    apiPort: port('JIT_API_PORT', 7071),
    sandboxPort: port('JIT_SANDBOX_PORT', 7443),
    tablePort: port('AZURITE_TABLE_PORT', 10002),
    stateDir,
    tlsDir,
    persist: true,
    taskHub: process.env.JIT_TASK_HUB ?? 'jit',
    // `npm start` builds the portal first; a bare `node dist/local/start.js` without a build runs the API alone and says so.
    ...(portalBuilt ? { portalPort: port('JIT_PORTAL_PORT', 5173) } : {}),
    seedDemo: (process.env.JIT_SEED_DEMO ?? 'true') === 'true' ? 'full' : false,
    onStorageLost: (reason) => {
      console.error(reason);
      shutdown(1);
    },
  });
  running = stack;
  if (closing) {
    // A signal arrived while starting: stop now that there is something to stop.
    await stack.close();
    process.exit(exitCode);
  }
  const users = Object.values(HOME_USERS).map((u) => `  ${u.userPrincipalName.padEnd(20)} ${describeUser(u)}`);
  console.log(
    [
      'Entra JIT is running.',
      stack.portalUrl !== undefined
        ? `Portal: ${stack.portalUrl}  (open it and sign in as one of the demo users below)`
        : 'Portal: not served: it is not built (npm run portal:build, or start with npm start)',
      JSON.stringify(
        {
          portalUrl: stack.portalUrl,
          apiBaseUrl: stack.apiBaseUrl,
          sandboxUrl: stack.sandboxUrl,
          caCertPath: stack.caCertPath,
        },
        null,
        2,
      ),
      `(also written to ${join(stateDir, 'stack.json')})`,
      'Demo users (get a token: POST <sandboxUrl>/_sandbox/tokens {"user":"alice@msp.example"}):',
      ...users,
    ].join('\n'),
  );
}

let running: RunningStack | undefined;
let closing = false;
let exitCode = 0;

/** Stops everything the stack started (host, sandbox, Azurite), then exits; once, whatever asks. */
function shutdown(code = 0): void {
  if (closing) return;
  closing = true;
  exitCode = code;
  if (running === undefined) return; // still starting: main() stops the stack once it is up
  void running
    .close()
    .catch((error: unknown) => console.error(`Entra JIT did not stop cleanly: ${messageOf(error)}`))
    .then(() => process.exit(exitCode));
}

/**
 * The launcher: runs this script again trusting the local CA, passes SIGINT and SIGTERM on, and
 * exits with the child's code. `npm start` execs this process (no shell in between), so a signal
 * sent to npm or to this pid reaches the stack, as Ctrl-C does.
 */
function relaunchTrusting(caPath: string): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function describeUser(user: SeedUser): string {
  const roles = user.appRoles ?? [];
  if (roles.length > 0) return roles.join(', ');
  const groups = Object.values(HOME_GROUPS).filter((g) => (g.memberIds as readonly string[]).includes(user.id));
  return groups.length > 0
    ? `technician (${groups.map((g) => g.displayName).join(', ')})`
    : 'technician with no entitlement rule';
}

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a TCP port (0-65535), got '${text}'`);
  return value;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown());

main().catch((error: unknown) => {
  console.error(`Entra JIT failed to start: ${messageOf(error)}`);
  process.exit(1);
});
