import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { z } from 'zod';

/**
 * `npm run teams:manifest`: the Teams app package for the approval bot, written to
 * dist/teams-app/ (manifest.json, color.png 192×192, outline.png 32×32), to zip and upload in the
 * Teams admin center or "Upload a custom app" (README "Approving from Teams"). Manifest schema 1.17
 * (https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema): the bot in
 * personal and team scope, validDomains the API's host.
 *
 * Inputs, from the arguments or the azd environment: --bot-app-id (JIT_TEAMS_BOT_APP_ID),
 * --api-url (JIT_API_URL, e.g. https://func-jit-abc.azurewebsites.net/api), --version (1.0.0).
 */
const MANIFEST_VERSION = '1.17';

export const manifestInputSchema = z.strictObject({
  botAppId: z.uuid('the bot app id (JIT_TEAMS_BOT_APP_ID, --bot-app-id) must be a GUID'),
  apiUrl: z.url({ protocol: /^https$/, error: 'the API URL (JIT_API_URL, --api-url) must be an https URL' }),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'the app version (--version) must be like 1.0.0'),
});
export type ManifestInput = z.infer<typeof manifestInputSchema>;

export function teamsManifest(input: ManifestInput): Record<string, unknown> {
  const api = new URL(input.apiUrl);
  const site = `${api.origin}/api/openapi.json`;
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: input.version,
    // The app id of a bot-only app may be the bot's own id.
    id: input.botAppId,
    developer: { name: 'Entra JIT', websiteUrl: site, privacyUrl: site, termsOfUseUrl: site },
    name: { short: 'Entra JIT', full: 'Entra JIT: just-in-time admin access' },
    description: {
      short: 'Approve or deny just-in-time admin access requests.',
      full: 'Entra JIT posts each access request that needs approval to its approvers, with Approve and Deny buttons that decide in place as you, under the same rules as the portal.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#0F6CBD',
    bots: [{ botId: input.botAppId, scopes: ['personal', 'team'], isNotificationOnly: false, supportsFiles: false }],
    permissions: ['identity'],
    validDomains: [api.host],
  };
}

/** A PNG of one colour (RGBA), optionally a border only (the outline icon: white on transparent). */
export function solidPng(size: number, rgba: readonly [number, number, number, number], borderOnly = false): Buffer {
  const row = 1 + size * 4;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y += 1)
    for (let x = 0; x < size; x += 1) {
      const edge = x < 2 || y < 2 || x >= size - 2 || y >= size - 2;
      if (borderOnly && !edge) continue;
      raw.set(rgba, y * row + 1 + x * 4);
    }
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(6, 9); // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export async function writeTeamsApp(input: ManifestInput, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = {
    'manifest.json': `${JSON.stringify(teamsManifest(input), null, 2)}\n`,
    // Teams: color 192×192, outline 32×32 white on transparent.
    'color.png': solidPng(192, [0x0f, 0x6c, 0xbd, 0xff]),
    'outline.png': solidPng(32, [0xff, 0xff, 0xff, 0xff], true),
  };
  for (const [name, content] of Object.entries(files)) await writeFile(join(outDir, name), content);
  return Object.keys(files).map((name) => join(outDir, name));
}

function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const parsed = manifestInputSchema.safeParse({
    botAppId: argument(args, '--bot-app-id') ?? process.env.JIT_TEAMS_BOT_APP_ID,
    apiUrl: argument(args, '--api-url') ?? process.env.JIT_API_URL,
    version: argument(args, '--version') ?? '1.0.0',
  });
  if (!parsed.success) {
    console.error(`teams:manifest: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    process.exitCode = 2;
    return;
  }
  const outDir = resolve(__dirname, '..', 'teams-app');
  const written = await writeTeamsApp(parsed.data, outDir);
  console.log(`wrote ${written.join(', ')}`);
  console.log(`zip it for upload: (cd ${outDir} && zip -j ../entra-jit-teams.zip manifest.json color.png outline.png)`);
}

if (require.main === module) void main();
