import { join } from 'node:path';
import { ensureLocalTls } from '../tls';
import { startSandbox } from './server';

/** Process entry for the Entra sandbox (`node dist/local/sandbox/main.js`). */
async function main(): Promise<void> {
  const port = Number(process.env.JIT_SANDBOX_PORT ?? '7443');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`JIT_SANDBOX_PORT must be a port number, got '${process.env.JIT_SANDBOX_PORT ?? ''}'`);
  const stateDir = process.env.JIT_STATE_DIR ?? '.local';
  const tls = await ensureLocalTls(join(stateDir, 'tls'));
  // Comma-separated, e.g. the local portal's `http://127.0.0.1:5173/`.
  const spaRedirectUris = (process.env.JIT_SANDBOX_SPA_REDIRECT_URIS ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
  const sandbox = await startSandbox({ port, tls, stateFile: join(stateDir, 'sandbox.json'), spaRedirectUris });
  console.log(`sandbox listening on ${sandbox.url}`);
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
}

main().catch((error: unknown) => {
  console.error('sandbox: failed to start', error);
  process.exit(1);
});
