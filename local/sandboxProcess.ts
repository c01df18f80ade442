import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from './azurite';
import type { RunningSandbox } from './sandbox/server';

/**
 * The Entra sandbox in a child process of its own (`local/sandbox/main.ts`), so that a benchmark
 * measures the app's process without the stand-in's work in it. It serves the same TLS dir's
 * certificate, keeps its state in memory only and reports its URL over the IPC channel; it stops on
 * close, on SIGINT/SIGTERM (Ctrl-C reaches the whole process group) and when the channel closes
 * because this process is gone, even killed: no orphan is left listening.
 */
export interface SandboxProcessOptions {
  /** 0: an ephemeral port, chosen by the child. */
  readonly port: number;
  readonly tlsDir: string;
  readonly spaRedirectUris?: readonly string[];
}

export interface RunningSandboxProcess extends RunningSandbox {
  readonly pid: number;
}

const START_TIMEOUT_MS = 30_000;

export async function startSandboxProcess(options: SandboxProcessOptions): Promise<RunningSandboxProcess> {
  const env = {
    ...process.env,
    JIT_SANDBOX_PORT: String(options.port),
    JIT_SANDBOX_TLS_DIR: options.tlsDir,
    JIT_SANDBOX_IN_MEMORY: '1',
    JIT_SANDBOX_SPA_REDIRECT_URIS: (options.spaRedirectUris ?? []).join(','),
  };
  // No Node flags of ours (a --cpu-prof of the app must not profile the sandbox too).
  const child = fork(...sandboxEntry(), { env, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk); // its unexpected errors stay visible
  });
  try {
    const listening = await new Promise<{ url: string; port: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the sandbox process did not start within ${START_TIMEOUT_MS / 1000} s: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      child.once('message', (message: { type?: unknown; url?: unknown; port?: unknown }) => {
        clearTimeout(timer);
        if (message.type === 'listening' && typeof message.url === 'string' && typeof message.port === 'number')
          resolve({ url: message.url, port: message.port });
        else reject(new Error(`the sandbox process sent an unexpected message: ${JSON.stringify(message)}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox process exited (${code ?? signal ?? '?'}) before listening: ${stderr}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { ...listening, pid: child.pid ?? 0, close: () => stopSandboxChild(child) };
  } catch (error) {
    await stopSandboxChild(child);
    throw error;
  }
}

async function stopSandboxChild(child: ChildProcess): Promise<void> {
  await stopChild(child);
  if (child.connected) child.disconnect();
}

/** The compiled entry beside this file, or under vitest (sources) the TypeScript entry through vite-node. */
function sandboxEntry(): [string, string[]] {
  const compiled = join(__dirname, 'sandbox', 'main.js');
  if (existsSync(compiled)) return [compiled, []];
  return [require.resolve('vite-node/vite-node.mjs'), [join(__dirname, 'sandbox', 'main.ts')]];
}
