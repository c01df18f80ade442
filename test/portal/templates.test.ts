import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import {
  closePortal,
  openFromNav,
  openPortalAs,
  pick,
  screenshot,
  seriousViolations,
  type PortalStack,
  type SignedInPortal,
} from './browser';

/**
 * The Templates page in Chromium against the whole local stack (the full demo: Contoso, which has
 * "JIT Helpdesk Operators", and the home tenant, which has not): carol creates a template for
 * every tenant, applies it and reads each tenant's state, sees a hand-made change as drift, and a
 * bad template is refused with the API's problem next to the field. Found by role and name.
 */
let opened: Partial<SignedInPortal> = {};
let portal: PortalStack;
let carol: Page;
const TEMPLATE = 'helpdesk-standard';

beforeAll(async () => {
  opened = await openPortalAs(HOME_USERS.carol.userPrincipalName);
  ({ portal, page: carol } = opened as SignedInPortal);
}, 120_000);

afterAll(() => closePortal(opened));

describe('the Templates page in a browser', () => {
  it('creates a template, applies it with progress, and shows each tenant: in sync, or failed and why', async () => {
    await openFromNav(carol, 'Templates');
    await carol.getByRole('button', { name: 'Create template' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Create template' });
    await dialog.getByRole('textbox', { name: /^Template id/ }).fill(TEMPLATE);
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Helpdesk (standard)');
    await dialog.getByLabel('Role template ids').fill(ROLE_TEMPLATES.helpdeskAdministrator);
    await dialog.getByLabel('Group names').fill('JIT Helpdesk Operators');
    expect(await seriousViolations(carol)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create template' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });

    const row = carol.getByRole('table', { name: 'Templates' }).getByRole('row').filter({ hasText: TEMPLATE });
    await row.getByText('Every connected tenant, and tenants connected later').waitFor();
    await row.getByRole('button', { name: `Apply template ${TEMPLATE}` }).click();
    await carol
      .getByRole('status')
      .getByText(`Applied ${TEMPLATE} to 2 of 2 tenants: 1 created, 1 failed`)
      .waitFor({ timeout: 30_000 });
    const tenants = carol.getByRole('table', { name: `Tenants of template ${TEMPLATE}` });
    const contoso = tenants.getByRole('row').filter({ hasText: 'Contoso' });
    await contoso.getByRole('cell', { name: 'In sync' }).waitFor({ timeout: 20_000 });
    const home = tenants.getByRole('row').filter({ hasText: 'MSP' });
    await home.getByRole('cell', { name: 'Failed' }).waitFor();
    await home.getByText("no group named 'JIT Helpdesk Operators'").waitFor();
    expect(await seriousViolations(carol)).toEqual([]);
  });

  it('shows a target changed by hand as drifted, naming the field', async () => {
    const admin = await portal.client.token(HOME_USERS.carol.userPrincipalName);
    const patched = await portal.client.api('PATCH', `/tenants/${CONTOSO.id}/targets/${TEMPLATE}`, {
      token: admin,
      body: { maxDuration: 'PT8H' },
    });
    expect(patched.status, patched.text).toBe(200);
    await openFromNav(carol, 'Templates');
    await carol.getByRole('button', { name: `Tenants of template ${TEMPLATE}` }).click();
    const contoso = carol
      .getByRole('table', { name: `Tenants of template ${TEMPLATE}` })
      .getByRole('row')
      .filter({ hasText: 'Contoso' });
    await contoso.getByRole('cell', { name: 'Drifted' }).waitFor({ timeout: 20_000 });
    await contoso.getByText('Differs in maxDuration').waitFor();
  });

  it('keeps the policy a target has: approvers picked by name, a deadline, justification and ticket', async () => {
    await openFromNav(carol, 'Templates');
    await carol.getByRole('button', { name: 'Create template' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Create template' });
    await dialog.getByRole('textbox', { name: /^Template id/ }).fill('approved-helpdesk');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Helpdesk (approved)');
    await dialog.getByRole('checkbox', { name: 'Approval required' }).check();
    await pick(dialog, 'Approvers', 'bob', /^Bob/);
    await dialog.getByLabel('Approval deadline').fill('PT30M');
    await dialog.getByRole('checkbox', { name: 'Justification required' }).check();
    await dialog.getByRole('checkbox', { name: 'Ticket required' }).check();
    await dialog.getByLabel('Access details').fill('Use the Entra admin center.');
    await screenshot(carol, 'template-dialog');
    await dialog.getByRole('button', { name: 'Create template' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 20_000 });
    const admin = await portal.client.token(HOME_USERS.carol.userPrincipalName);
    const stored = await portal.client.api<Record<string, unknown>>('GET', '/templates/approved-helpdesk', {
      token: admin,
    });
    expect(stored.status, stored.text).toBe(200);
    expect(stored.body).toMatchObject({
      approval: { mode: 'required', approvers: [{ type: 'user', id: HOME_USERS.bob.id }], deadline: 'PT30M' },
      requireJustification: true,
      requireTicket: true,
      accessDetails: 'Use the Entra admin center.',
    });
    const deleted = await portal.client.api('DELETE', '/templates/approved-helpdesk', { token: admin });
    expect(deleted.status, deleted.text).toBe(200);
  });

  it("refuses a bad template with the API's problem shown, and creates nothing", async () => {
    await carol.getByRole('button', { name: 'Create template' }).click();
    const dialog = carol.getByRole('dialog', { name: 'Create template' });
    await dialog.getByRole('textbox', { name: /^Template id/ }).fill('too-long-default');
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Wrong durations');
    await dialog.getByLabel('Default duration').fill('PT9H');
    await dialog.getByRole('button', { name: 'Create template' }).click();
    await dialog.getByText(/defaultDuration: must be at most maxDuration/).waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const admin = await portal.client.token(HOME_USERS.carol.userPrincipalName);
    const list = await portal.client.api<{ items: { templateId: string }[] }>('GET', '/templates', { token: admin });
    expect(list.body.items.map((t) => t.templateId)).toEqual([TEMPLATE]);
  });
});
