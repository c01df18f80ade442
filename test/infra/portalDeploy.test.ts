import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readRepoFile, repoRoot } from './infraFiles';

// The portal's deployment: azure.yaml's portal service, portal/public/staticwebapp.config.json (the
// Static Web App's headers and routing) and infra/scripts/write-portal-config.sh, which makes one
// build this environment's (config.json from azd's outputs, the CSP pinned to this API).

const clientId = '0f1e2d3c-4b5a-4697-8877-66554433a001';
const tenantId = '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601';
const apiUrl = 'https://func-jit-abc.azurewebsites.net/api';

const swaConfig = z.object({
  navigationFallback: z.object({ rewrite: z.string(), exclude: z.array(z.string()) }),
  globalHeaders: z.record(z.string(), z.string()),
  routes: z.array(z.looseObject({ route: z.string() })),
});

function csp(config: z.infer<typeof swaConfig>): Map<string, string[]> {
  const value = config.globalHeaders['Content-Security-Policy'] ?? '';
  return new Map(
    value
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0] !== undefined && d[0] !== '')
      .map(([name, ...sources]) => [name ?? '', sources]),
  );
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function builtPortal(): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), 'entra-jit-portal-dist-'));
  dirs.push(dist);
  await copyFile(join(repoRoot, 'portal/public/staticwebapp.config.json'), join(dist, 'staticwebapp.config.json'));
  return dist;
}

function writeConfig(dist: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      'bash',
      ['infra/scripts/write-portal-config.sh', dist],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, _stdout, stderr) =>
        resolvePromise({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr }),
    );
  });
}

const azdOutputs = { JIT_API_CLIENT_ID: clientId, JIT_HOME_TENANT_ID: tenantId, JIT_API_URL: apiUrl };

describe('the portal on Static Web Apps', () => {
  it('azure.yaml deploys portal/dist to the staticwebapp host, after writing its config', () => {
    const azureYaml = readRepoFile('azure.yaml');
    const portal = azureYaml.slice(azureYaml.indexOf('\n  portal:'));
    expect(portal).toMatch(/\n {4}host: staticwebapp\n/);
    expect(portal).toMatch(/\n {4}dist: portal\/dist\n/);
    expect(portal).toMatch(/prepackage:[\s\S]*write-portal-config\.sh portal\/dist/);
  });

  it('ships a strict CSP (no inline or foreign script, no framing) and the SPA fallback, config.json excluded', async () => {
    const config = swaConfig.parse(JSON.parse(readRepoFile('portal/public/staticwebapp.config.json')));
    const policy = csp(config);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(config.navigationFallback.rewrite).toBe('/index.html');
    expect(config.navigationFallback.exclude).toContain('/config.json');
    expect(config.globalHeaders['X-Content-Type-Options']).toBe('nosniff');
  });

  it("writes config.json from azd's outputs and pins connect-src to exactly this API and the authority", async () => {
    const dist = await builtPortal();
    const result = await writeConfig(dist, azdOutputs);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dist, 'config.json'), 'utf8'))).toEqual({
      clientId,
      authority: `https://login.microsoftonline.com/${tenantId}`,
      apiBaseUrl: apiUrl,
      scope: `api://${clientId}/access_as_user`,
    });
    const policy = csp(swaConfig.parse(JSON.parse(await readFile(join(dist, 'staticwebapp.config.json'), 'utf8'))));
    expect(policy.get('connect-src')).toEqual([
      "'self'",
      'https://func-jit-abc.azurewebsites.net',
      'https://login.microsoftonline.com',
    ]);
    expect(policy.get('frame-src')).toEqual(['https://login.microsoftonline.com']);
    expect(policy.get('script-src')).toEqual(["'self'"]);
  });

  it('follows a national cloud authority (JIT_AUTHORITY_HOST)', async () => {
    const dist = await builtPortal();
    const result = await writeConfig(dist, { ...azdOutputs, JIT_AUTHORITY_HOST: 'https://login.microsoftonline.us' });
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(dist, 'config.json'), 'utf8')) as { authority: string };
    expect(config.authority).toBe(`https://login.microsoftonline.us/${tenantId}`);
  });

  it('refuses to write anything without the outputs, or with an API that is not https', async () => {
    const dist = await builtPortal();
    const missing = await writeConfig(dist, { JIT_API_CLIENT_ID: clientId, JIT_HOME_TENANT_ID: tenantId });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('JIT_API_URL is not set');
    const http = await writeConfig(dist, { ...azdOutputs, JIT_API_URL: 'http://func.example/api' });
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('JIT_API_URL must be https');
    await expect(readFile(join(dist, 'config.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
