import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS } from '../../local/sandbox/seed';
import {
  launchChromium,
  newPersonContext,
  seriousViolations,
  signIn,
  startPortalStack,
  type PortalStack,
} from './browser';

/**
 * Issue 14 in the portal, in Chromium against the whole local stack: a request needing two
 * approvers shows "0 of 2", then "1 of 2" with who approved, then goes active; the approver's past
 * decisions come from the API; a scheduled request shows its start and is withdrawn.
 */
const TWO = 'two-approvers';
const SCHEDULED = 'schedulable';
let portal: PortalStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function pageOf(user: string): Promise<Page> {
  const context = await newPersonContext(browser);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, portal.portalUrl, user);
  return page;
}

async function open(page: Page, name: 'My access' | 'Requests' | 'Approvals'): Promise<void> {
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** "Request access" for the target on "My access", with what `fill` does to the form, then on to "Requests". */
async function requestAccess(page: Page, target: string, fill: (form: ReturnType<Page['getByRole']>) => Promise<void>) {
  await open(page, 'My access');
  const row = page.getByRole('row').filter({ has: page.getByText(target, { exact: true }) });
  await row.getByRole('button', { name: 'Request access' }).click();
  const form = page.getByRole('form', { name: `Request access: ${target} in Contoso` });
  await fill(form);
  await form.getByRole('button', { name: 'Request access' }).click();
  await page.getByRole('heading', { name: 'Requests', level: 1 }).or(form.getByRole('alert')).waitFor();
  if (await form.getByRole('alert').isVisible())
    throw new Error(`refused: ${await form.getByRole('alert').innerText()}`);
}

/** A datetime-local value (the browser's local time, as the form takes it). */
function localDateTime(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

beforeAll(async () => {
  portal = await startPortalStack();
  const carol = await portal.client.token(HOME_USERS.carol.userPrincipalName);
  for (const body of [
    {
      targetId: TWO,
      name: 'Two approvers',
      kind: 'adminAccount',
      approval: {
        mode: 'required',
        approvers: [
          { type: 'user', id: HOME_USERS.bob.id },
          { type: 'user', id: HOME_USERS.carol.id },
        ],
        approvalsRequired: 2,
        deadline: 'PT1H',
      },
    },
    { targetId: SCHEDULED, name: 'Scheduled admin', kind: 'adminAccount', maxScheduleAhead: 'P14D' },
  ]) {
    const created = await portal.client.api('POST', `/tenants/${CONTOSO.id}/targets`, { token: carol, body });
    expect(created.status, created.text).toBe(201);
  }
  const rule = await portal.client.api('POST', '/rules', {
    token: carol,
    body: {
      ruleId: 'portal-issue-14',
      principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
      scope: { targets: [TWO, SCHEDULED].map((targetId) => ({ tenantId: CONTOSO.id, targetId })) },
    },
  });
  expect(rule.status, rule.text).toBe(201);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await portal?.stack.close();
});

describe('issue 14 in the portal', () => {
  it('shows a two-approver request as 0 of 2, then 1 of 2 with who approved, then active', async () => {
    const alice = await pageOf(HOME_USERS.alice.userPrincipalName);
    await requestAccess(alice, 'Two approvers', async () => {});
    const card = alice.getByRole('region', { name: 'Two approvers in Contoso' }).first();
    await card.getByText('Waiting for approval', { exact: true }).waitFor();
    await card.getByText('0 of 2', { exact: true }).waitFor();

    const bob = await pageOf(HOME_USERS.bob.userPrincipalName);
    await open(bob, 'Approvals');
    // Names, not the tenant's GUID or the target's id.
    const awaiting = bob.getByRole('region', { name: 'alice@msp.example asks for Two approvers in Contoso' });
    await awaiting.getByText('0 of 2', { exact: true }).waitFor();
    expect(await awaiting.getByText(CONTOSO.id).count()).toBe(0);
    await awaiting.getByLabel('Comment').fill('first of two');
    await awaiting.getByRole('button', { name: 'Approve' }).click();
    const bobsDecisions = bob.getByRole('table', { name: 'Past decisions' });
    const row = bobsDecisions.getByRole('row').filter({ hasText: 'Two approvers in Contoso' });
    await row.getByRole('cell', { name: '1 of 2', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'first of two', exact: true }).waitFor();

    // The progress and past decisions pass axe as well as the rest of the page.
    expect(await seriousViolations(bob)).toEqual([]);
    await card.getByText('1 of 2', { exact: true }).waitFor();
    await card.getByRole('list', { name: 'Approved so far by' }).getByText('bob@msp.example: “first of two”').waitFor();

    const carol = await pageOf(HOME_USERS.carol.userPrincipalName);
    await open(carol, 'Approvals');
    const second = carol.getByRole('region', { name: 'alice@msp.example asks for Two approvers in Contoso' });
    await second.getByText('1 of 2', { exact: true }).waitFor();
    await second.getByRole('button', { name: 'Approve' }).click();
    await carol.getByText('Nothing awaits your decision.').waitFor();

    await card.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });
    // Bob's past decisions, read again from the API, follow the request to the end.
    await row.getByRole('cell', { name: '2 of 2', exact: true }).waitFor();
    await card.getByRole('button', { name: 'Revoke' }).click();
    await card.getByText('Ended (revoked)', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('schedules a request with "Start at", shows when it starts, and withdraws it', async () => {
    const dave = await pageOf(HOME_USERS.dave.userPrincipalName);
    const start = new Date(Date.now() + 3 * 3600_000);
    start.setSeconds(0, 0);
    await requestAccess(dave, 'Scheduled admin', async (form) => {
      await form.getByLabel('Start at').fill(localDateTime(start));
    });
    const card = dave.getByRole('region', { name: 'Scheduled admin in Contoso' }).first();
    await card.getByText(/^Scheduled for /).waitFor();
    await card.getByText(/^.+ \(in 2:5\d:\d\d\)$/).waitFor();
    expect(await seriousViolations(dave)).toEqual([]);
    // Only targets that allow it offer "Start at".
    await open(dave, 'My access');
    await dave
      .getByRole('row')
      .filter({ has: dave.getByText('Two approvers', { exact: true }) })
      .getByRole('button', { name: 'Request access' })
      .click();
    expect(await dave.getByLabel('Start at').count()).toBe(0);
    await dave.getByRole('button', { name: 'Cancel' }).click();

    await open(dave, 'Requests');
    await card.getByRole('button', { name: 'Withdraw' }).click();
    await card.getByText('Ended (withdrawn)', { exact: true }).waitFor({ timeout: 30_000 });
    const requests = await portal.client.api<{ items: { status: string; account: unknown; startAt?: string }[] }>(
      'GET',
      '/requests?mine=true',
      { token: await portal.client.token(HOME_USERS.dave.userPrincipalName) },
    );
    expect(requests.body.items[0]).toMatchObject({ status: 'ended', account: null, startAt: start.toISOString() });
  });
});
