import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestInputSchema, writeTeamsApp } from '../../local/teamsManifest';
import { TEAMS_BOT_APP } from '../../local/sandbox/seed';

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('npm run teams:manifest', () => {
  it('writes a 1.17 manifest with the bot in personal and team scope, the API host as valid domain, and icons of the sizes Teams wants', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'teams-app-'));
    try {
      await writeTeamsApp(
        { botAppId: TEAMS_BOT_APP.clientId, apiUrl: 'https://func-jit-abc.azurewebsites.net/api', version: '1.2.3' },
        dir,
      );
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({
        manifestVersion: '1.17',
        version: '1.2.3',
        id: TEAMS_BOT_APP.clientId,
        bots: [{ botId: TEAMS_BOT_APP.clientId, scopes: ['personal', 'team'] }],
        validDomains: ['func-jit-abc.azurewebsites.net'],
        icons: { color: 'color.png', outline: 'outline.png' },
      });
      expect(String(manifest.$schema)).toContain('/v1.17/');
      expect(pngSize(await readFile(join(dir, 'color.png')))).toEqual({ width: 192, height: 192 });
      expect(pngSize(await readFile(join(dir, 'outline.png')))).toEqual({ width: 32, height: 32 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bot app id that is no GUID and an API that is not https, naming the setting', () => {
    const parsed = manifestInputSchema.safeParse({ botAppId: 'bot', apiUrl: 'http://x.example/api', version: '1.0.0' });
    expect(parsed.success).toBe(false);
    const messages = parsed.error?.issues.map((i) => i.message).join('; ');
    expect(messages).toContain('JIT_TEAMS_BOT_APP_ID');
    expect(messages).toContain('JIT_API_URL');
  });
});
