import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { newTechnician } from '../e2e/workflowSupport';
import { launchChromium, newPersonContext, signIn, startPortalStack, type PortalStack } from './browser';

/**
 * Step-up in the portal (issue 14, point 3): a technician requests a target that asks for
 * authentication context c1. The API answers the portal's token with a claims challenge; MSAL asks
 * the sandbox with the claims request, which shows "Verify your identity" after the user name; back
 * in the portal the request goes through with the stepped-up token.
 */
const TARGET = 'step-up-portal';
const TARGET_NAME = 'Helpdesk admin (MFA)';

let portal: PortalStack;
let browser: Browser;

beforeAll(async () => {
  portal = await startPortalStack();
  const carol = await portal.client.token(HOME_USERS.carol.userPrincipalName);
  const target = await portal.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
    token: carol,
    body: {
      targetId: TARGET,
      name: TARGET_NAME,
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      defaultDuration: 'PT1H',
      stepUp: { authenticationContext: 'c1' },
    },
  });
  expect(target.status, target.text).toBe(201);
  const rule = await portal.client.api('POST', '/rules', {
    token: carol,
    body: {
      ruleId: 'technicians-step-up-portal',
      principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: TARGET }] },
    },
  });
  expect(rule.status, rule.text).toBe(201);
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stack.close();
});

async function askFor(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'My access' }).click();
  await page.getByRole('heading', { name: 'My access', level: 1 }).waitFor();
  const row = page.getByRole('row').filter({ has: page.getByText(TARGET_NAME, { exact: true }) });
  await row.getByRole('button', { name: 'Request access' }).click();
  const form = page.getByRole('form', { name: `Request access: ${TARGET_NAME} in Contoso` });
  await form.getByRole('button', { name: 'Request access' }).click();
}

describe('a target asking for a stronger sign-in, in the portal', () => {
  it('sends the technician through the sandbox verification and then makes the request', async () => {
    const tech = await newTechnician(portal.client, 'portalstepup');
    const context = await newPersonContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, portal.portalUrl, tech.upn);

    await askFor(page);
    // The claims challenge: the sandbox's sign-in with the claims request, then its extra step.
    await page.getByLabel('User name').fill(tech.upn);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await page.getByRole('button', { name: 'Verify (MFA)' }).click();
    await page.getByRole('heading', { name: 'My access', level: 1 }).waitFor();

    const token = await portal.client.token(tech.upn);
    const before = await portal.client.api<{ items: unknown[] }>('GET', '/requests?mine=true', { token });
    expect(before.body.items).toEqual([]);

    // Back with a token that shows c1: the same request goes through.
    await askFor(page);
    await page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();
    const after = await portal.client.api<{ items: { targetId: string }[] }>('GET', '/requests?mine=true', { token });
    expect(after.body.items.map((r) => r.targetId)).toEqual([TARGET]);
    await context.close();
  });
});
