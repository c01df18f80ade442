import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FABRIKAM, HOME_GROUPS, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import {
  browserStorage,
  launchChromium,
  newPersonContext,
  pick,
  screenshot,
  seriousViolations,
  signIn,
  startPortalStack,
  typeInto,
  type PortalStack,
} from './browser';

/**
 * The admin's journey through the portal in Chromium, against the whole local stack: carol connects
 * Fabrikam with a mistyped client secret, reads the failing check and its fix, fixes the connection,
 * creates a target and a rule in Fabrikam, and alice then finds it in "My access"; integrations
 * (secret shown once), the audit log and its export; an axe scan and a 375 px phone. Everything is
 * found by role and accessible name.
 */
const ADMIN_PAGES = [
  'Tenants',
  'Customers',
  'Targets',
  'Rules',
  'Templates',
  'Integrations',
  'Audit',
  'Leases',
] as const;
type PageName = 'My access' | (typeof ADMIN_PAGES)[number];

let portal: PortalStack;
let browser: Browser;
let carol: Page;

async function open(page: Page, name: PageName): Promise<void> {
  // A dialog a failed test left open would keep every later test from the navigation.
  if ((await page.getByRole('dialog').count()) > 0)
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** Waits for the page's animations (a dialog fading in) to end: axe measures contrast as it is painted. */
async function settled(page: Page): Promise<void> {
  // A cancelled animation (its `finished` rejects with AbortError) is settled too.
  await page.evaluate<boolean>(
    `Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))).then(() => true)`,
  );
}

beforeAll(async () => {
  portal = await startPortalStack();
  browser = await launchChromium();
  const context = await newPersonContext(browser);
  carol = await context.newPage();
  await signIn(carol, portal.portalUrl, HOME_USERS.carol.userPrincipalName);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stack.close();
});

describe('the admin pages in a browser', () => {
  it('shows an admin every page, and a technician none of them', async () => {
    const nav = carol.getByRole('navigation', { name: 'Portal' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'My access',
      'Requests',
      'Approvals',
      ...ADMIN_PAGES,
      'Reports', // test/portal/reports.test.ts scans and drives it
    ]);
    const alice = await (await newPersonContext(browser)).newPage();
    await signIn(alice, portal.portalUrl, HOME_USERS.alice.userPrincipalName);
    // A technician who types an admin page's path gets "My access", not the page.
    await alice.goto(`${portal.portalUrl}/tenants`);
    await alice.getByRole('heading', { name: 'My access', level: 1 }).waitFor();
    expect(await alice.getByRole('heading', { name: 'Tenants' }).count()).toBe(0);
    await alice.context().close();
  });

  it('connects Fabrikam, shows the failing sign-in with its fix, and is ready once the secret is fixed', async () => {
    const app = seedAppOf(FABRIKAM);
    await open(carol, 'Tenants');
    await carol.getByRole('button', { name: 'Connect tenant' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Connect tenant' });
    await dialog.getByLabel('Tenant id').fill(FABRIKAM.id);
    await dialog.getByLabel('Display name').fill('Fabrikam');
    await dialog.getByLabel('JIT domain').fill('fabrikam.example');
    await dialog.getByLabel('Application (client) id').fill(app.clientId);
    await dialog.getByRole('textbox', { name: /^Client secret/ }).fill('a-mistyped-secret');
    await dialog.getByRole('button', { name: 'Connect' }).click();

    const card = carol.getByRole('region', { name: 'Fabrikam' });
    const checks = card.getByRole('list', { name: 'Verification checks of Fabrikam' });
    const signInCheck = checks.getByRole('listitem').filter({ hasText: 'The service signs in to the tenant' });
    await signInCheck.getByText('Failed', { exact: true }).waitFor({ timeout: 20_000 });
    await signInCheck.getByText(/^Fix: The client secret is wrong/).waitFor();
    // In the portal's words (its button, not the API's PATCH), and the 8 checks that wait for it said once.
    await signInCheck.getByText(/"Edit" on this tenant, tick "Replace the connection"/).waitFor();
    expect(await checks.getByText(/PATCH|fix signIn first|signIn/).count()).toBe(0);
    expect(await checks.getByRole('listitem').count()).toBe(1);
    await signInCheck
      .getByText(/^8 more checks wait for this one: Microsoft Graph permissions are granted; /)
      .waitFor();
    await card.getByText('Not ready', { exact: true }).waitFor();
    await screenshot(carol, 'tenants-failing-check');
    // The secret went to the API only: never to browser storage.
    expect(await browserStorage(carol)).not.toContain('a-mistyped-secret');

    await card.getByRole('button', { name: 'Edit' }).click();
    const edit = carol.getByRole('dialog', { name: 'Edit tenant Fabrikam' });
    await edit.getByRole('checkbox', { name: /Replace the connection/ }).check();
    await edit.getByRole('textbox', { name: /^New client secret/ }).fill(app.clientSecret);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached', timeout: 20_000 });
    await card.getByText('Ready', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await checks.getByText('Failed', { exact: true }).count()).toBe(0);
    expect(await checks.getByText('Passed', { exact: true }).count()).toBe(9);
    expect(await browserStorage(carol)).not.toContain(app.clientSecret);

    await card.getByRole('button', { name: 'Re-verify' }).click();
    await card.getByRole('button', { name: 'Re-verify' }).waitFor();
    await card.getByText('Ready', { exact: true }).waitFor();

    await card.getByRole('button', { name: 'Admin-consent link' }).click();
    const consent = card.getByRole('link', { name: 'Open the admin-consent page for Fabrikam' });
    expect(await consent.getAttribute('href')).toContain(FABRIKAM.id);
    await carol.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.portalUrl });
    await card.getByRole('button', { name: 'Copy admin-consent link' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: /copied/i })
      .waitFor();
    expect(await carol.evaluate<string>('navigator.clipboard.readText()')).toBe(await consent.getAttribute('href'));
  });

  it("refuses a group Graph cannot change, shows the API's problem next to the field, and creates nothing", async () => {
    await open(carol, 'Targets');
    await carol.getByRole('button', { name: 'Create target' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Create target' });
    await dialog.getByLabel('Tenant').selectOption({ label: 'Fabrikam' });
    await dialog.getByLabel('Target id').fill('fabrikam-broken');
    await dialog.getByLabel('Name').fill('Broken');
    // The group search says which groups cannot be in a target, and why; choosing one is refused.
    await typeInto(dialog.getByRole('combobox', { name: 'Groups' }), 'synced');
    const synced = carol.getByRole('option', { name: /Synced Server Admins/ });
    await synced.getByText(/Cannot be chosen: It is synced from on-premises Active Directory/).waitFor();
    await synced.click();
    await dialog.getByText(/Synced Server Admins cannot be chosen: It is synced from on-premises/).waitFor();
    expect(await dialog.getByRole('listbox', { name: 'Chosen: Groups' }).getByRole('option').count()).toBe(0);
    await pick(dialog, 'Roles', 'helpdesk', 'Helpdesk Administrator');
    // Checked by the API: a minimum longer than the maximum, shown next to the field.
    await dialog.getByLabel('Minimum duration').fill('PT9H');
    await dialog.getByRole('button', { name: 'Create target' }).click();
    await dialog
      .getByText(/must be at most maxDuration/)
      .first()
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const list = await portal.client.api<{ items: unknown[] }>('GET', `/tenants/${FABRIKAM.id}/targets`, {
      token: await portal.client.token(HOME_USERS.carol.userPrincipalName),
    });
    expect(list.body.items).toEqual([]);
  });

  it('creates a target and a rule in Fabrikam, and alice then sees it in "My access"', async () => {
    await open(carol, 'Targets');
    await carol.getByRole('button', { name: 'Create target' }).click();
    const target = carol.getByRole('dialog', { name: 'Create target' });
    await target.getByLabel('Tenant').selectOption({ label: 'Fabrikam' });
    await target.getByLabel('Target id').fill('fabrikam-helpdesk');
    await target.getByLabel('Name').fill('Fabrikam helpdesk');
    // Roles by name from Fabrikam's own role definitions (a custom one too), a group from a search.
    await pick(target, 'Roles', 'helpdesk', 'Helpdesk Administrator');
    await pick(target, 'Roles', 'reset', 'MSP Password Reset Operator');
    await pick(target, 'Groups', 'oper', 'Exchange Operators');
    await target.getByLabel('Minimum duration').fill('PT30S');
    await target.getByRole('checkbox', { name: 'Ticket required' }).check();
    await target.getByRole('button', { name: 'Create target' }).click();
    const row = carol.getByRole('table', { name: 'Targets' }).getByRole('row').filter({ hasText: 'Fabrikam helpdesk' });
    await row.getByText('Helpdesk Administrator', { exact: false }).waitFor();

    // Edit: the change is saved and shown.
    await row.getByRole('button', { name: 'Edit Fabrikam helpdesk in Fabrikam' }).click();
    const edit = carol.getByRole('dialog', { name: 'Edit target Fabrikam helpdesk' });
    await edit.getByLabel('Default duration').fill('PT1H');
    await edit.getByLabel('Maximum duration').fill('PT2H');
    await edit.getByRole('button', { name: 'Save' }).click();
    await row.getByText(/to 2 hours/).waitFor();

    await open(carol, 'Rules');
    await carol.getByRole('button', { name: 'Create rule' }).click();
    const rule = carol.getByRole('dialog', { name: 'Create rule' });
    await rule.getByLabel('Rule id').fill('fabrikam-technicians');
    await rule.getByLabel('Description').fill('All technicians may request Fabrikam helpdesk');
    await pick(rule, 'Principal', 'all tech', 'All technicians');
    await rule.getByRole('checkbox', { name: 'Fabrikam helpdesk in Fabrikam' }).check();
    await rule.getByRole('button', { name: 'Create rule' }).click();
    await carol
      .getByRole('table', { name: 'Rules' })
      .getByRole('row')
      .filter({ hasText: 'fabrikam-technicians' })
      .getByText('Fabrikam helpdesk in Fabrikam')
      .waitFor();
    const stored = await portal.client.api<{ principal: unknown }>('GET', '/rules/fabrikam-technicians', {
      token: await portal.client.token(HOME_USERS.carol.userPrincipalName),
    });
    expect(stored.body.principal).toEqual({ type: 'group', id: HOME_GROUPS.allTechnicians.id });

    const alice = await (await newPersonContext(browser)).newPage();
    await signIn(alice, portal.portalUrl, HOME_USERS.alice.userPrincipalName);
    const offered = alice.getByRole('row').filter({ has: alice.getByText('Fabrikam helpdesk', { exact: true }) });
    await offered.getByText('Ticket required').waitFor();
    await offered.getByText('Up to 2 hours').waitFor();
    await alice.context().close();
  });

  it('deletes a rule after confirmation', async () => {
    await open(carol, 'Rules');
    await carol.getByRole('button', { name: 'Create rule' }).click();
    const rule = carol.getByRole('dialog', { name: 'Create rule' });
    await rule.getByLabel('Rule id').fill('short-lived');
    await pick(rule, 'Principal', 'dave@', /^Dave/);
    await rule.getByLabel('Scope').selectOption({ label: 'Every target of every tenant' });
    await rule.getByRole('button', { name: 'Create rule' }).click();
    const rules = carol.getByRole('table', { name: 'Rules' });
    await rules.getByText('short-lived', { exact: true }).waitFor();
    await carol.getByRole('button', { name: 'Delete rule short-lived' }).click();
    await carol.getByRole('button', { name: 'Confirm delete of short-lived' }).click();
    await rules.getByText('short-lived', { exact: true }).waitFor({ state: 'detached' });
    const gone = await portal.client.api('GET', '/rules/short-lived', {
      token: await portal.client.token(HOME_USERS.carol.userPrincipalName),
    });
    expect(gone.status).toBe(404);
  });

  it('creates an integration whose secret is shown once and never stored, rotates, disables and deletes it', async () => {
    await open(carol, 'Integrations');
    await carol.getByRole('button', { name: 'Create integration' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Create integration' });
    await dialog.getByLabel('Name').fill('Service desk');
    await dialog.getByRole('button', { name: 'Create integration' }).click();
    const shown = carol.getByRole('group', { name: 'Secret of Service desk' });
    const secret = await shown.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await browserStorage(carol)).not.toContain(secret);
    expect(carol.url()).not.toContain(secret);
    await shown.getByRole('button', { name: 'Done, I copied it' }).click();
    expect(await carol.getByRole('group', { name: 'Secret of Service desk' }).count()).toBe(0);
    expect(await carol.content()).not.toContain(secret);

    const row = carol.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'Service desk' });
    await row.getByRole('button', { name: 'Rotate secret of Service desk' }).click();
    const rotated = await carol
      .getByRole('group', { name: 'Secret of Service desk' })
      .getByLabel('Signing secret')
      .inputValue();
    expect(rotated).not.toBe(secret);
    await carol.getByRole('button', { name: 'Done, I copied it' }).click();

    await row.getByRole('button', { name: 'Disable Service desk' }).click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Enable Service desk' }).click();
    await row.getByText('Enabled', { exact: true }).waitFor();

    await row.getByRole('button', { name: 'Delete Service desk' }).click();
    await row.getByRole('button', { name: 'Confirm delete of Service desk' }).click();
    await carol.getByText('No integration yet.').waitFor();
  });

  it("filters the audit log by tenant, shows the chain intact and exports the filter's events as CSV", async () => {
    await open(carol, 'Audit');
    await carol.getByText('The audit chain is intact').waitFor();
    await carol.getByLabel('Tenant').selectOption({ label: 'Fabrikam' });
    await carol.getByRole('button', { name: 'Apply filter' }).click();
    await carol.getByText("Fabrikam's audit chain is intact").waitFor();
    const events = carol.getByRole('table', { name: 'Audit events' });
    // The rows of the filter before (every tenant's) give way to Fabrikam's: its one tenant.created.
    await expect.poll(() => events.getByRole('cell', { name: 'tenant.created', exact: true }).count()).toBe(1);
    await events.getByRole('cell', { name: 'target.created', exact: true }).waitFor();
    // Only Fabrikam's events: the Contoso walkthrough's target is not among them.
    expect(await events.getByText('helpdesk-admin', { exact: false }).count()).toBe(0);

    const download = carol.waitForEvent('download');
    await carol.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe('seq,at,action,outcome,actor,tenantId,targetId,requestId,ticket,details,hash');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row).toContain(FABRIKAM.id);
    expect(csv).toContain('target.created');
    await carol
      .getByRole('status')
      .filter({ hasText: `Exported ${rows.length} events.` })
      .waitFor();
  });

  it('has no serious or critical accessibility violation on any admin page (axe-core)', async () => {
    const found: string[] = [];
    for (const name of ADMIN_PAGES) {
      await open(carol, name);
      await carol.getByRole('button').last().waitFor();
      found.push(...(await seriousViolations(carol)).map((v) => `${name}: ${v}`));
    }
    // Each dialog is scanned open, and is gone before the next page is opened.
    for (const [page, button] of [
      ['Tenants', 'Connect tenant'],
      ['Targets', 'Create target'],
      ['Rules', 'Create rule'],
    ] as const) {
      await open(carol, page);
      await carol.getByRole('button', { name: button }).click();
      const dialog = carol.getByRole('dialog', { name: button });
      await dialog.waitFor();
      await settled(carol);
      found.push(...(await seriousViolations(carol)).map((v) => `${button}: ${v}`));
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
    expect(found).toEqual([]);
  });

  it('fits a 375 px phone: every admin page without sideways scrolling', async () => {
    const context = await newPersonContext(browser, { width: 375, height: 812 });
    const phone = await context.newPage();
    await signIn(phone, portal.portalUrl, HOME_USERS.carol.userPrincipalName);
    for (const name of ADMIN_PAGES) {
      await open(phone, name);
      await phone.getByRole('button').last().waitFor();
      await settled(phone);
      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      expect(width, `${name} is ${String(width)}px wide`).toBeLessThanOrEqual(375);
    }
    await context.close();
  });
});
