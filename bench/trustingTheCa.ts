import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTls } from '../local/tls';

const TLS_DIR_ENV = 'JIT_BENCH_TLS_DIR';

/**
 * Runs `run` in a process that trusts the sandbox's CA. NODE_EXTRA_CA_CERTS is read only at process
 * start: the first run makes the CA and starts this script again with it set (keeping Node's flags,
 * so `--cpu-prof` profiles the child), passing Ctrl-C and SIGTERM on; the child runs `run`.
 */
export async function runTrustingTheCa(run: (tlsDir: string) => Promise<void>): Promise<void> {
  const tlsDir = process.env[TLS_DIR_ENV];
  if (tlsDir !== undefined) return run(tlsDir);
  const madeDir = await mkdtemp(join(tmpdir(), 'jit-bench-tls-'));
  try {
    const tls = await ensureLocalTls(madeDir);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath, [TLS_DIR_ENV]: madeDir },
      });
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    process.exitCode = code;
  } finally {
    await rm(madeDir, { recursive: true, force: true });
  }
}
