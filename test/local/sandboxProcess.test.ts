import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, signalQuietly } from '../../local/processes';
import { HOME_TENANT_ID } from '../../local/sandbox/seed';
import { startSandboxProcess } from '../../local/sandboxProcess';
import { testEnv, testTls } from '../support/env';

function getStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

describe('the sandbox in a child process (local/sandboxProcess.ts)', () => {
  it('serves the given TLS dir on an ephemeral port, keeps its state in memory and is gone once closed', async () => {
    const tls = await testTls();
    const sandbox = await startSandboxProcess({ port: 0, tlsDir: testEnv('JIT_TEST_TLS_DIR') });
    try {
      expect(sandbox.pid).not.toBe(process.pid);
      expect(sandbox.url).toBe(`https://127.0.0.1:${sandbox.port}`);
      expect(await getStatus(`${sandbox.url}/${HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`, tls.caPem)).toBe(
        200,
      );
    } finally {
      await sandbox.close();
    }
    expect(await waitUntilGone(sandbox.pid, 5_000)).toBe(true);
    await expect(getStatus(`${sandbox.url}/_sandbox/calls`, tls.caPem)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops by itself when the process that started it is killed outright (no orphan left listening)', async () => {
    const parent = spawn(
      process.execPath,
      [require.resolve('vite-node/vite-node.mjs'), join(__dirname, '..', 'fixtures', 'sandboxParent.ts')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const sandboxPid = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(() => reject(new Error(`no sandbox pid within 45 s: ${stderr}`)), 45_000);
      parent.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const pid = /sandbox-pid=(\d+)/.exec(stdout)?.[1];
        if (pid !== undefined) {
          clearTimeout(timer);
          resolve(Number(pid));
        }
      });
    });
    try {
      expect(isAlive(sandboxPid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitUntilGone(sandboxPid, 10_000)).toBe(true);
    } finally {
      signalQuietly(sandboxPid, 'SIGKILL'); // a failed run leaves nothing behind either
    }
  });
});
