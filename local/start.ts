import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { HOME_GROUPS, HOME_USERS, type SeedUser } from './sandbox/seed';
import { startStack } from './stack';
import { ensureLocalTls } from './tls';

/**
 * `npm start`: the service on its embedded defaults. Ports and the state directory come from the
 * environment (JIT_API_PORT, JIT_SANDBOX_PORT, AZURITE_TABLE_PORT, JIT_STATE_DIR, JIT_TLS_DIR).
 */
async function main(): Promise<void> {
  const stateDir = resolve(process.env.JIT_STATE_DIR ?? '.local');
  const tlsDir = resolve(process.env.JIT_TLS_DIR ?? join(stateDir, 'tls'));
  const tls = await ensureLocalTls(tlsDir);
  // NODE_EXTRA_CA_CERTS is read only at process start: run again with it set.
  if (process.env.NODE_EXTRA_CA_CERTS !== tls.caPath) {
    const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath } });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  const stack = await startStack({
    apiPort: port('JIT_API_PORT', 7071),
    sandboxPort: port('JIT_SANDBOX_PORT', 7443),
    tablePort: port('AZURITE_TABLE_PORT', 10002),
    stateDir,
    tlsDir,
    persist: true,
    taskHub: process.env.JIT_TASK_HUB ?? 'jit',
    seedDemo: (process.env.JIT_SEED_DEMO ?? 'true') === 'true',
  });
  const users = Object.values(HOME_USERS).map((u) => `  ${u.userPrincipalName.padEnd(20)} ${describeUser(u)}`);
  console.log(
    [
      'Entra JIT is running.',
      JSON.stringify({ apiBaseUrl: stack.apiBaseUrl, sandboxUrl: stack.sandboxUrl, caCertPath: stack.caCertPath }, null, 2),
      `(also written to ${join(stateDir, 'stack.json')})`,
      'Demo users (get a token: POST <sandboxUrl>/_sandbox/tokens {"user":"alice@msp.example"}):',
      ...users,
    ].join('\n'),
  );
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void stack.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function describeUser(user: SeedUser): string {
  const roles = user.appRoles ?? [];
  if (roles.length > 0) return roles.join(', ');
  const groups = Object.values(HOME_GROUPS).filter((g) => (g.memberIds as readonly string[]).includes(user.id));
  return groups.length > 0 ? `technician (${groups.map((g) => g.displayName).join(', ')})` : 'technician with no entitlement rule';
}

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a TCP port (0-65535), got '${text}'`);
  return value;
}

main().catch((error: unknown) => {
  console.error(`Entra JIT failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
