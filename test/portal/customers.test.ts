import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FABRIKAM, HOME_USERS, NORTHWIND_TENANT_ID, TAILSPIN_TENANT_ID, seedAppOf } from '../../local/sandbox/seed';
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
 * The Customers page in Chromium against the whole local stack (the full demo: GDAP relationships
 * with Contoso, connected, Fabrikam, active and not connected, Northwind, expired, and Tailspin,
 * waiting for approval): carol sees each customer's state, may select only Fabrikam, is told a bad
 * JIT domain next to its field, and connects Fabrikam. Found by role and name.
 */
let opened: Partial<SignedInPortal> = {};
let portal: PortalStack;
let carol: Page;

beforeAll(async () => {
  opened = await openPortalAs(HOME_USERS.carol.userPrincipalName);
  ({ portal, page: carol } = opened as SignedInPortal);
}, 120_000);

afterAll(() => closePortal(opened));

function customerRow(name: string) {
  return carol.getByRole('table', { name: 'Customers' }).getByRole('row').filter({ hasText: name });
}

describe('the Customers page in a browser', () => {
  it('lists the GDAP customers with their states; only an active, unconnected one can be selected', async () => {
    await openFromNav(carol, 'Customers');
    await customerRow('Contoso')
      .getByRole('cell', { name: /^Connected \(contoso\.example\)$/ })
      .waitFor({ timeout: 20_000 });
    await customerRow('Fabrikam').getByRole('cell', { name: 'Not connected' }).waitFor();
    await customerRow(NORTHWIND_TENANT_ID).getByText('MSP-Northwind-2025: Expired').waitFor();
    await customerRow(TAILSPIN_TENANT_ID)
      .getByText('MSP-Tailspin-onboarding: Waiting for the customer to approve')
      .waitFor();
    await screenshot(carol, 'customers');
    await customerRow('Fabrikam')
      .getByText(/MSP-Fabrikam-support: Active; .*Helpdesk Administrator/)
      .waitFor();
    expect(await carol.getByRole('checkbox', { name: /^Select / }).evaluateAll((boxes) => boxes.length)).toBe(1);
    await carol.getByRole('checkbox', { name: 'Select Fabrikam' }).waitFor();
    expect(await seriousViolations(carol)).toEqual([]);
  });

  it('shows a refused JIT domain next to its field, then connects Fabrikam and shows its result', async () => {
    await carol.getByRole('checkbox', { name: 'Select Fabrikam' }).check();
    const domain = carol.getByRole('textbox', { name: /^JIT domain of Fabrikam/ });
    await domain.fill('not a domain');
    await carol.getByRole('radio', { name: /^Client secret/ }).check();
    const app = seedAppOf(FABRIKAM);
    await carol.getByRole('textbox', { name: /^Application \(client\) id/ }).fill(app.clientId);
    await carol.getByLabel(/^Client secret \(the same app/).fill(app.clientSecret);
    expect(await seriousViolations(carol)).toEqual([]);
    await carol.getByRole('button', { name: /^Connect selected/ }).click();
    await customerRow('Fabrikam').getByText('a domain name such as contoso.com').waitFor({ timeout: 20_000 });
    await carol.getByRole('status').getByText('Stopped after 0 of 1 customers').waitFor();

    await domain.fill('fabrikam.example');
    await carol.getByRole('button', { name: /^Connect selected/ }).click();
    await carol.getByRole('status').getByText('Connected 1 of 1 customers').waitFor({ timeout: 30_000 });
    await customerRow('Fabrikam').getByText('Connected', { exact: true }).waitFor();
    await customerRow('Fabrikam')
      .getByRole('cell', { name: /^Connected \(fabrikam\.example\)$/ })
      .waitFor({ timeout: 20_000 });
    expect(await carol.getByRole('checkbox', { name: /^Select / }).evaluateAll((boxes) => boxes.length)).toBe(0);
    expect(await carol.content()).not.toContain(app.clientSecret);

    const admin = await portal.client.token(HOME_USERS.carol.userPrincipalName);
    const tenants = await portal.client.api<{ items: { tenantId: string; jitDomain: string }[] }>('GET', '/tenants', {
      token: admin,
    });
    expect(tenants.body.items.find((t) => t.tenantId === FABRIKAM.id)?.jitDomain).toBe('fabrikam.example');
  });
});
