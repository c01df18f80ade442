import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../local/ports';
import { HOME_TENANT_ID } from '../../../local/sandbox/seed';
import { testEnv } from '../../support/env';

function getJson(url: string, ca: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox process entry (local/sandbox/main.ts)', () => {
  it('listens on JIT_SANDBOX_PORT with TLS from JIT_STATE_DIR, prints one line, persists, and exits cleanly on SIGTERM', async () => {
    const stateDir = await mkdtemp(join(testEnv('JIT_TEST_DIR'), 'sandbox-main-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['node_modules/vite-node/vite-node.mjs', 'local/sandbox/main.ts'], {
      env: { ...process.env, JIT_SANDBOX_PORT: String(port), JIT_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const url = `https://127.0.0.1:${port}`;
    expect(stdout.trim()).toBe(`sandbox listening on ${url}`);
    const ca = await readFile(join(stateDir, 'tls', 'ca.pem'), 'utf8');
    const discovery = await getJson(`${url}/${HOME_TENANT_ID}/v2.0/.well-known/openid-configuration`, ca);
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(`${url}/${HOME_TENANT_ID}/v2.0`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const saved = JSON.parse(await readFile(join(stateDir, 'sandbox.json'), 'utf8')) as { tenants: unknown[] };
    expect(saved.tenants).toHaveLength(3);
  });
});
