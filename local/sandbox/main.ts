import { join } from 'node:path';
import { ensureLocalTls } from '../tls';
import { startSandbox } from './server';

/**
 * Process entry for the Entra sandbox (`node dist/local/sandbox/main.js`). Settings:
 * `JIT_SANDBOX_PORT` (0: an ephemeral port), `JIT_STATE_DIR` (state file and TLS dir),
 * `JIT_SANDBOX_TLS_DIR` (the CA and certificate to serve, default `<state dir>/tls`),
 * `JIT_SANDBOX_IN_MEMORY=1` (no state file: everything is lost on exit), `JIT_SANDBOX_SPA_REDIRECT_URIS`.
 * Started by `local/sandboxProcess.ts` with an IPC channel, it reports its URL over it and stops
 * when the channel closes (its parent is gone, even killed), so it is never left running alone.
 */
async function main(): Promise<void> {
  const port = Number(process.env.JIT_SANDBOX_PORT ?? '7443');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`JIT_SANDBOX_PORT must be a port number, got '${process.env.JIT_SANDBOX_PORT ?? ''}'`);
  const stateDir = process.env.JIT_STATE_DIR ?? '.local';
  const tls = await ensureLocalTls(process.env.JIT_SANDBOX_TLS_DIR ?? join(stateDir, 'tls'));
  const inMemory = process.env.JIT_SANDBOX_IN_MEMORY === '1';
  // Comma-separated, e.g. the local portal's `http://127.0.0.1:5173/`.
  const spaRedirectUris = (process.env.JIT_SANDBOX_SPA_REDIRECT_URIS ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
  const sandbox = await startSandbox({
    port,
    tls,
    ...(inMemory ? {} : { stateFile: join(stateDir, 'sandbox.json') }),
    spaRedirectUris,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('sandbox: error while closing', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (process.send !== undefined) {
    process.once('disconnect', stop);
    process.send({ type: 'listening', url: sandbox.url, port: sandbox.port });
  } else console.log(`sandbox listening on ${sandbox.url}`);
}

main().catch((error: unknown) => {
  console.error('sandbox: failed to start', error);
  process.exit(1);
});
