import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { DEMO_APPROVAL_TARGET_ID, DEMO_ELEVATION_TARGET_ID } from '../../local/seedDemo';
import { tenantState } from '../support/client';
import { uniqueName } from '../support/env';
import { killService, serviceEnv, startService, type ServiceEnv, type StartedService } from '../support/service';

/**
 * The README's walkthroughs on what `npm start` seeds: an approval (alice asks, bob approves), an
 * elevation in the home tenant, and a ticketing webhook delivery (carol creates the integration,
 * a signed generic event makes the request), all on one freshly started demo.
 */
let service: ServiceEnv;
let started: StartedService;
beforeAll(async () => {
  service = await serviceEnv(uniqueName('demohub'));
  started = await startService(service);
}, 90_000);
afterAll(async () => {
  const azuritePid = Number(await readFile(join(service.stateDir, 'azurite.pid'), 'utf8').catch(() => ''));
  await killService(started.child);
  if (azuritePid > 0) process.kill(azuritePid, 'SIGTERM');
});

describe("npm start's demo", () => {
  it('approval: alice asks for helpdesk-admin-approved, bob approves, the lease goes active', async () => {
    const { client } = service;
    const alice = await client.token(HOME_USERS.alice.userPrincipalName);
    const bob = await client.token(HOME_USERS.bob.userPrincipalName);
    const body = {
      tenantId: CONTOSO.id,
      targetId: DEMO_APPROVAL_TARGET_ID,
      duration: 'PT30S',
      justification: 'Reset MFA for a Contoso user',
    };
    const submit = await client.api('POST', '/requests', { token: alice, body });
    expect(submit.status, submit.text).toBe(202);
    expect(submit.body.status).toBe('pending_approval');
    const id = String(submit.body.id);
    const awaiting = await client.api<{ items: { id: string }[] }>('GET', '/requests?awaiting=me', { token: bob });
    expect(awaiting.body.items.map((r) => r.id)).toContain(id);
    expect((await client.api('POST', `/requests/${id}/approve`, { token: alice, body: {} })).status).toBe(403);
    const approve = await client.api('POST', `/requests/${id}/approve`, {
      token: bob,
      body: { comment: 'OK for the MFA reset' },
    });
    expect(approve.status, approve.text).toBe(202);
    const active = await client.waitForRequest(id, alice, (r) => r.status === 'active');
    expect((active.account as { userPrincipalName: string }).userPrincipalName).toBe('jit-alice@contoso.example');
    expect(
      (await client.api('POST', `/requests/${id}/revoke`, { token: alice, body: { reason: 'done' } })).status,
    ).toBe(202);
    await client.waitForRequest(id, alice, (r) => r.status === 'ended');
  }, 90_000);

  it('elevation: dave gets Tier 2 in the home tenant for the lease, and loses it after', async () => {
    const { client } = service;
    const dave = await client.token(HOME_USERS.dave.userPrincipalName);
    const submit = await client.api('POST', '/requests', {
      token: dave,
      body: { tenantId: HOME_TENANT.id, targetId: DEMO_ELEVATION_TARGET_ID, duration: 'PT30S' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    await client.waitForRequest(id, dave, (r) => r.status === 'active');
    const during = tenantState(await client.state(), HOME_TENANT.id);
    expect(during.groups.find((g) => g.id === HOME_GROUPS.tier2.id)?.memberIds).toContain(HOME_USERS.dave.id);
    expect(
      during.roleAssignments.some(
        (a) => a.principalId === HOME_USERS.dave.id && a.roleDefinitionId === ROLE_TEMPLATES.securityReader,
      ),
    ).toBe(true);
    expect((await client.api('POST', `/requests/${id}/revoke`, { token: dave, body: {} })).status).toBe(202);
    await client.waitForRequest(id, dave, (r) => r.status === 'ended');
    const after = tenantState(await client.state(), HOME_TENANT.id);
    expect(after.groups.find((g) => g.id === HOME_GROUPS.tier2.id)?.memberIds).not.toContain(HOME_USERS.dave.id);
  }, 90_000);

  it('ticketing webhook: a signed generic delivery from an integration made by carol becomes a request', async () => {
    const { client } = service;
    const carol = await client.token(HOME_USERS.carol.userPrincipalName);
    const created = await client.api<{ integrationId: string; signingSecret: string; webhookPath: string }>(
      'POST',
      '/integrations',
      { token: carol, body: { name: 'Demo PSA' } },
    );
    expect(created.status, created.text).toBe(201);
    const body = JSON.stringify({
      deliveryId: randomUUID(),
      type: 'access.requested',
      ticket: 'T-4711',
      technician: { userPrincipalName: HOME_USERS.dave.userPrincipalName },
      tenantId: CONTOSO.id,
      targetId: DEMO_APPROVAL_TARGET_ID,
      duration: 'PT1H',
      justification: 'Ticket T-4711: user locked out',
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac('sha256', created.body.signingSecret).update(`${ts}.${body}`).digest('hex')}`;
    const response = await fetch(`${client.apiBaseUrl}/webhooks/${created.body.integrationId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Jit-Timestamp': ts, 'X-Jit-Signature': signature },
      body,
    });
    const answer = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(answer)).toBe(202);
    expect(answer.ticket).toBe('T-4711');
    expect(answer.status).toBe('pending_approval');
    const bob = await client.token(HOME_USERS.bob.userPrincipalName);
    const seen = await client.api<{ ticket: string; requester: { userPrincipalName: string } }>(
      'GET',
      `/requests/${String(answer.requestId)}`,
      { token: bob },
    );
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body.requester.userPrincipalName).toBe(HOME_USERS.dave.userPrincipalName);
    expect(
      (
        await client.api('POST', `/requests/${String(answer.requestId)}/deny`, {
          token: bob,
          body: { comment: 'demo' },
        })
      ).status,
    ).toBe(202);
  }, 90_000);
});
