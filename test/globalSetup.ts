import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../local/azurite';
import { STACK_ACCOUNTS, stackAccountName } from './support/stackAccounts';
import { freePort } from '../local/ports';
import { ensureLocalTls } from '../local/tls';

/**
 * One CA and one in-memory Azurite for the whole run. Workers are forked after this, so they
 * inherit NODE_EXTRA_CA_CERTS (read only at process start) and the Azurite connection string.
 * Tests isolate themselves with their own table names and task hubs; every whole stack gets a
 * storage account of its own on this Azurite (test/support/stackAccounts.ts), so it keeps the
 * app's table names without starting an Azurite per file. Sandbox and host are per stack, on
 * ephemeral ports.
 */
let azurite: RunningAzurite | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'entra-jit-test-'));
  const tls = await ensureLocalTls(join(dir, 'tls'));
  process.env.NODE_EXTRA_CA_CERTS = tls.caPath;
  process.env.JIT_TEST_TLS_DIR = join(dir, 'tls');
  process.env.JIT_TEST_DIR = dir;
  const port = await freePort();
  azurite = await startAzurite({
    port,
    extraAccounts: Array.from({ length: STACK_ACCOUNTS }, (_, index) => stackAccountName(index)),
  });
  process.env.JIT_TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
  process.env.JIT_TEST_AZURITE_PORT = String(port);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
  if (dir === undefined) return;
  // Keep the CA certificate: node processes still starting as the run winds down read it
  // (NODE_EXTRA_CA_CERTS) and warn when it is gone. It is public material, a few hundred bytes.
  for (const entry of await readdir(dir)) {
    if (entry !== 'tls') await rm(join(dir, entry), { recursive: true, force: true });
  }
}
