import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../../local/seedDemo';
import {
  closePortal,
  openFromNav,
  openPortalAs,
  screenshot,
  seriousViolations,
  type PortalStack,
  type SignedInPortal,
} from './browser';

/**
 * The operator's view (an admin's "Leases") in Chromium against the whole local stack: every live
 * lease across tenants with its phase, requester, target and expiry; "Reconcile now" with its
 * progress and report; the reconciler's findings listed at the top.
 */
let opened: Partial<SignedInPortal> = {};
let portal: PortalStack;
let carol: Page;

beforeAll(async () => {
  opened = await openPortalAs(HOME_USERS.carol.userPrincipalName);
  ({ portal, page: carol } = opened as SignedInPortal);
}, 120_000);

afterAll(() => closePortal(opened));

describe("the operator's view in a browser", () => {
  it("lists alice's live lease with its phase, requester, target and expiry, and it leaves once revoked", async () => {
    const alice = await portal.client.token(HOME_USERS.alice.userPrincipalName);
    const submitted = await portal.client.api<{ id: string }>('POST', '/requests', {
      token: alice,
      body: { tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID, duration: 'PT1H' },
    });
    expect(submitted.status, submitted.text).toBe(202);

    await openFromNav(carol, 'Leases');
    const leases = carol.getByRole('table', { name: 'Live leases' });
    const row = leases.getByRole('row').filter({ hasText: 'alice@msp.example' });
    // The view reads again by itself: provisioning moves on to active without a reload.
    await row.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByText('Helpdesk admin in Contoso').waitFor();
    await row.getByText(/\(in (?:59:\d\d|1:00:00)\)/).waitFor();
    await screenshot(carol, 'leases');

    const revoked = await portal.client.api('POST', `/requests/${submitted.body.id}/revoke`, {
      token: alice,
      body: { reason: 'done' },
    });
    expect(revoked.status, revoked.text).toBeLessThan(300);
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await carol.getByText('No live lease.').waitFor();
  });

  it('reconciles now, with progress, and lists what it found at the top', async () => {
    // Someone in Contoso makes an account named like ours: the reconciler reports it, never touches it.
    const app = seedAppOf(CONTOSO);
    await portal.client.createCustomerUser(
      { id: CONTOSO.id, clientId: app.clientId, clientSecret: app.clientSecret },
      { userPrincipalName: 'jit-lookalike@contoso.example', accountEnabled: true },
    );
    await openFromNav(carol, 'Leases');
    await carol.getByText('No findings.').waitFor();
    await carol.getByRole('button', { name: 'Reconcile now' }).click();
    await carol.getByText('Reconciled: what it found and did').waitFor({ timeout: 30_000 });
    await carol
      .getByRole('listitem')
      .filter({ hasText: 'Look-alike accounts this service did not make (not touched): jit-lookalike@contoso.example' })
      .waitFor();
    const findings = carol.getByRole('region', { name: 'Reconciler findings (last 24 hours)' });
    await findings.getByText(/foreign jit account in Contoso .*jit-lookalike@contoso\.example/).waitFor();
    expect(await seriousViolations(carol)).toEqual([]);
  });
});
