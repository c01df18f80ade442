import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import {
  browserStorage,
  launchChromium,
  newPersonContext,
  screenshot,
  seriousViolations,
  signIn,
  startPortalStack,
  type PortalStack,
} from './browser';

/**
 * The people's journeys through the portal in Chromium, against the whole local stack: alice
 * requests, sees it active, reveals, extends and revokes; bob approves; carol denies; sign-out; an
 * axe scan of each page; a 375 px phone. Everything is found by role and accessible name.
 */
const CAROL_TARGET = 'helpdesk-admin-carol';

let portal: PortalStack;
let browser: Browser;
const contexts = new Map<string, { context: BrowserContext; page: Page }>();

/** The person's signed-in page, signed in once and reused. */
async function pageOf(user: string): Promise<Page> {
  const known = contexts.get(user);
  if (known) return known.page;
  const context = await newPersonContext(browser);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);

  await signIn(page, portal.portalUrl, user);
  contexts.set(user, { context, page });
  return page;
}

async function open(page: Page, name: 'My access' | 'Requests' | 'Approvals'): Promise<void> {
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** Requests the named target from "My access", filling the dialog, and lands on "Requests". */
async function requestAccess(page: Page, target: string, fill: { justification?: string } = {}): Promise<void> {
  await open(page, 'My access');
  const row = page.getByRole('row').filter({ has: page.getByText(target, { exact: true }) });
  await row.getByRole('button', { name: 'Request access' }).click();
  const form = page.getByRole('form', { name: `Request access: ${target} in Contoso` });
  if (fill.justification !== undefined) await form.getByLabel('Justification').fill(fill.justification);
  await form.getByRole('button', { name: 'Request access' }).click();
  // Either the request is made (on to "Requests") or the form says why not, next to its fields.
  await page.getByRole('heading', { name: 'Requests', level: 1 }).or(form.getByRole('alert')).waitFor();
  if (await form.getByRole('alert').isVisible())
    throw new Error(`refused: ${await form.getByRole('alert').innerText()}`);
}

function requestCard(page: Page, title: string) {
  return page.getByRole('region', { name: title }).first();
}

/** Relative brightness (0 black to 1 white) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb: string | undefined): number {
  const [r = 0, g = 0, b = 0] = (rgb?.match(/\d+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

beforeAll(async () => {
  portal = await startPortalStack();
  // A target that carol and dave decide (an admin decides only where listed; dave has no approver role).
  const carol = await portal.client.token(HOME_USERS.carol.userPrincipalName);
  const created = await portal.client.api('POST', `/tenants/${CONTOSO.id}/targets`, {
    token: carol,
    body: {
      targetId: CAROL_TARGET,
      name: 'Helpdesk admin (Carol approves)',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      defaultDuration: 'PT1H',
      minDuration: 'PT30S',
      maxDuration: 'PT8H',
      approval: {
        mode: 'required',
        approvers: [
          { type: 'user', id: HOME_USERS.carol.id },
          { type: 'user', id: HOME_USERS.dave.id },
        ],
        deadline: 'PT1H',
      },
    },
  });
  expect(created.status, created.text).toBe(201);
  const rule = await portal.client.api('POST', '/rules', {
    token: carol,
    body: {
      ruleId: 'portal-carol-approves',
      principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
      scope: { targets: [{ tenantId: CONTOSO.id, targetId: CAROL_TARGET }] },
    },
  });
  expect(rule.status, rule.text).toBe(201);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stack.close();
});

describe('the portal in a browser', () => {
  it('alice requests Helpdesk admin in Contoso, sees it active, reveals, extends and revokes it, and sees it end', async () => {
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    // A technician sees what they may request, not the approver's page.
    const nav = alice.getByRole('navigation', { name: 'Portal' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['My access', 'Requests']);

    await alice.getByRole('row').nth(1).waitFor();
    await screenshot(alice, 'my-access');
    await requestAccess(alice, 'Helpdesk admin');
    const card = requestCard(alice, 'Helpdesk admin in Contoso');
    // The status moves on by itself (polling), no reload.
    await card.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });
    await screenshot(alice, 'requests');
    const before = await card.getByRole('timer', { name: 'Time left' }).textContent();
    expect(before).toMatch(/^[34]:\d\d:\d\d$/); // the default, 4 hours

    await card.getByRole('button', { name: 'Reveal' }).click();
    const credential = card.getByRole('group', { name: 'Credential' });
    const userName = await credential.getByLabel('User name').inputValue();
    const password = await credential.getByLabel('Password').inputValue();
    expect(userName).toMatch(/@contoso\.example$/);
    expect(password.length).toBeGreaterThanOrEqual(16);
    // Shown, never stored: not in sessionStorage, localStorage or cookies, nor in the URL.
    expect(await browserStorage(alice)).not.toContain(password);
    expect(alice.url()).not.toContain(password);
    await credential.getByRole('button', { name: 'Hide' }).click();
    expect(await card.getByRole('group', { name: 'Credential' }).count()).toBe(0);
    // Left on screen, it hides itself after a minute (the page's clock moved on, not the test's).
    await alice.clock.install();
    await card.getByRole('button', { name: 'Reveal' }).click();
    await credential.getByLabel('Password').waitFor();
    await alice.clock.fastForward(59_000);
    expect(await credential.getByLabel('Password').count()).toBe(1);
    await alice.clock.fastForward(2_000);
    await credential.waitFor({ state: 'detached' });

    await card.getByLabel('Extend by').selectOption({ label: '1 hour' });
    await card.getByRole('button', { name: 'Extend' }).click();
    await card
      .getByRole('timer', { name: 'Time left' })
      .filter({ hasText: /^[45]:\d\d:\d\d$/ })
      .waitFor();
    const after = await card.getByRole('timer', { name: 'Time left' }).textContent();
    expect(Number(after?.split(':')[0])).toBe(Number(before?.split(':')[0]) + 1);

    await card.getByRole('button', { name: 'Revoke' }).click();
    await card.getByText('Ended (revoked)', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('bob approves the request of alice, which goes active', async () => {
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    await requestAccess(alice, 'Helpdesk admin (approved)', { justification: 'Ticket T-1 password reset' });
    const card = requestCard(alice, 'Helpdesk admin (approved) in Contoso');
    await card.getByText('Waiting for approval', { exact: true }).waitFor();

    const bob = await pageOf(HOME_USERS.bob.userPrincipalName);
    await open(bob, 'Approvals');
    const awaiting = bob.getByRole('region', { name: /^alice@msp\.example asks for/ }).first();
    await awaiting.getByText('Ticket T-1 password reset').waitFor();
    await awaiting.getByLabel('Comment').fill('OK for T-1');
    await screenshot(bob, 'approvals');
    await awaiting.getByRole('button', { name: 'Approve' }).click();
    await bob
      .getByRole('table', { name: 'Past decisions' })
      .getByRole('cell', { name: 'Approved', exact: true })
      .waitFor();

    await card.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });
    await card.getByText('bob@msp.example: “OK for T-1”').waitFor();
    await card.getByRole('button', { name: 'Revoke' }).click();
    await card.getByText('Ended (revoked)', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('carol denies another request of alice, which ends denied', async () => {
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    await requestAccess(alice, 'Helpdesk admin (Carol approves)');
    const card = requestCard(alice, 'Helpdesk admin (Carol approves) in Contoso');
    await card.getByText('Waiting for approval', { exact: true }).waitFor();

    // dave holds no approver role: "Approvals" shows for him while something awaits his decision.
    const dave = await pageOf(HOME_USERS.dave.userPrincipalName);
    await open(dave, 'Approvals');
    await dave
      .getByRole('region', { name: /^alice@msp\.example asks for/ })
      .first()
      .waitFor();

    const carol = await pageOf(HOME_USERS.carol.userPrincipalName);
    await open(carol, 'Approvals');
    const awaiting = carol.getByRole('region', { name: /^alice@msp\.example asks for/ }).first();
    await awaiting.getByLabel('Comment').fill('Not without a ticket');
    await awaiting.getByRole('button', { name: 'Deny' }).click();
    await carol.getByText('Nothing awaits your decision.').waitFor();

    await card.getByText('Ended (denied)', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('has no serious or critical accessibility violation on any page (axe-core)', async () => {
    const found: string[] = [];
    const bob = await pageOf(HOME_USERS.bob.userPrincipalName);
    for (const name of ['My access', 'Requests', 'Approvals'] as const) {
      await open(bob, name);
      found.push(...(await seriousViolations(bob)).map((v) => `${name}: ${v}`));
    }
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    await open(alice, 'My access');
    await alice.getByRole('row').first().waitFor();
    found.push(...(await seriousViolations(alice)).map((v) => `My access (alice): ${v}`));
    await alice.getByRole('button', { name: 'Request access' }).first().click();
    found.push(...(await seriousViolations(alice)).map((v) => `Request access: ${v}`));
    await alice.getByRole('button', { name: 'Cancel' }).click();
    await open(alice, 'Requests');
    await alice.getByRole('region').first().waitFor();
    found.push(...(await seriousViolations(alice)).map((v) => `Requests (alice): ${v}`));
    const signedOut = await (await newPersonContext(browser)).newPage();
    await signedOut.goto(portal.portalUrl);
    await signedOut.getByRole('button', { name: 'Sign in' }).waitFor();
    found.push(...(await seriousViolations(signedOut)).map((v) => `Sign in: ${v}`));
    expect(found).toEqual([]);
  });

  it('fits a 375 px phone in dark mode: every page without sideways scrolling, dark as the system is', async () => {
    const context = await newPersonContext(browser, { width: 375, height: 812 }, 'dark');
    const phone = await context.newPage();
    await signIn(phone, portal.portalUrl, HOME_USERS.alice.userPrincipalName);
    // Fluent's dark theme: the page's surface is dark, its text light.
    const colors = await phone.evaluate<string>(
      `(() => { const main = document.querySelector('main'); return getComputedStyle(main).color + ' on ' + getComputedStyle(main.parentElement.parentElement).backgroundColor; })()`,
    );
    const [text, background] = colors.split(' on ').map((c) => luminance(c));
    expect(background, colors).toBeLessThan(0.2);
    expect(text, colors).toBeGreaterThan(0.6);
    for (const name of ['My access', 'Requests'] as const) {
      await open(phone, name);
      await phone.getByRole('button').last().waitFor();
      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      await screenshot(phone, `phone-${name === 'My access' ? 'my-access' : 'requests'}`);
      expect(width, `${name} is ${String(width)}px wide`).toBeLessThanOrEqual(375);
    }
    await context.close();
  });

  it('signs out: back to "Sign in", with nothing left in browser storage', async () => {
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(await alice.getByRole('navigation', { name: 'Portal' }).count()).toBe(0);
    // Nothing of the session is left: no token, account or id; MSAL's own version marker is all.
    const left = (await browserStorage(alice))
      .split('\n')
      .filter((line) => line !== '' && line !== 'msal.version=5.30.0');
    expect(left).toEqual([]);
    contexts.delete(HOME_USERS.alice.userPrincipalName);
  });
});
