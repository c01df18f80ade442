import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOME_TENANT } from '../../local/sandbox/seed';
import { targetSchema, type Target } from '../../src/domain/config';
import type { StackClient } from '../support/client';

/** Helpers shared by the issue-4 end-to-end tests (workflow, elevation, webhooks, audit). */

let counter = 0;

/** A fresh technician in the home tenant ("All technicians"), so each test has its own lease lock. */
export async function newTechnician(
  client: StackClient,
  name: string,
  groups: readonly string[] = ['All technicians'],
): Promise<{ upn: string; id: string }> {
  counter += 1;
  const upn = `${name}${counter}${Date.now().toString(36)}@msp.example`;
  const created = await client.sandbox<{ id: string }>('POST', `/_sandbox/tenants/${HOME_TENANT.id}/users`, {
    userPrincipalName: upn,
    groups,
  });
  if (created.status !== 201) throw new Error(`could not create ${upn}: ${created.text}`);
  return { upn, id: created.body.id };
}

/** A target with test defaults, read by the domain schema (so each kind gets only its own fields). */
export function target(partial: {
  readonly tenantId: string;
  readonly targetId: string;
  readonly [field: string]: unknown;
}): Target {
  const now = new Date().toISOString();
  return targetSchema.parse({
    name: partial.targetId,
    kind: 'adminAccount',
    defaultDuration: 'PT1H',
    minDuration: 'PT1S',
    maxDuration: 'PT2H',
    createdAt: now,
    updatedAt: now,
    ...partial,
  });
}

export { connectHomeTenant } from '../../local/homeTenant';

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local HTTP receiver standing in for a Teams channel and a signed-webhook consumer. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
