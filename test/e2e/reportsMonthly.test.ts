import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_TENANT, HOME_USERS } from '../../local/sandbox/seed';
import { previousMonth } from '../../src/app/reports/monthlyReports';
import { getServices } from '../../src/composition';
import { startTestStack, type TestStack } from '../support/stack';
import { connectHomeTenant, waitFor } from './workflowSupport';

/**
 * The monthly customer report by email: a tenant's report settings through the API, the timer
 * function fired on the local host as the Functions host's admin API does
 * (POST /admin/functions/{name}), the HTML email read back from the sandbox, and a rerun that
 * sends nothing twice.
 */
let t: TestStack;
let admin: string;
const MAILBOX = 'jit-reports@msp.example';
const CONTACT = 'it-contact@contoso.example';

interface SentMail {
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly contentType: string;
  readonly content: string;
}

async function reportMails(): Promise<SentMail[]> {
  const mail = await t.client.sandbox<{ value: SentMail[] }>('GET', '/_sandbox/mail');
  return mail.body.value.filter((m) => m.to.includes(CONTACT));
}

function finishedRuns(): number {
  return t.logs.filter((l) => l.message.startsWith("Executed 'monthlyReports'")).length;
}

async function fireTimer(): Promise<void> {
  const runs = finishedRuns();
  const host = new URL(t.stack.apiBaseUrl).origin;
  const response = await fetch(`${host}/admin/functions/monthlyReports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ input: '' }),
  });
  expect(response.status).toBe(202);
  await waitFor('the monthlyReports run to finish', () => (finishedRuns() > runs ? true : undefined));
}

beforeAll(async () => {
  process.env.JIT_NOTIFY_MAIL_FROM = MAILBOX;
  t = await startTestStack();
  await connectHomeTenant(getServices().deps);
  const mailbox = await t.client.sandbox('POST', `/_sandbox/tenants/${HOME_TENANT.id}/users`, {
    userPrincipalName: MAILBOX,
    groups: [],
  });
  expect(mailbox.status, mailbox.text).toBe(201);
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
}, 90_000);

afterAll(async () => {
  await t?.stack.close();
  delete process.env.JIT_NOTIFY_MAIL_FROM;
});

describe('PUT /tenants/{tenantId}/report-settings', () => {
  it('refuses a monthly report without a contact, or a contact that is no address, and changes nothing', async () => {
    for (const body of [
      { reportContact: null, reportMonthly: true },
      { reportContact: 'not an address', reportMonthly: true },
      { reportMonthly: true },
    ]) {
      const response = await t.client.api<{ errors: { field: string }[] }>(
        'PUT',
        `/tenants/${CONTOSO.id}/report-settings`,
        { token: admin, body },
      );
      expect(response.status, response.text).toBe(400);
      expect(response.body.errors.map((e) => e.field)).toContain('reportContact');
    }
    const settings = await t.client.api('GET', `/tenants/${CONTOSO.id}/report-settings`, { token: admin });
    expect(settings.body).toEqual({ reportContact: null, reportMonthly: false });
    const unknown = await t.client.api('GET', '/tenants/00000000-0000-4000-8000-000000000099/report-settings', {
      token: admin,
    });
    expect(unknown.status).toBe(404);
  });
});

describe('the monthlyReports timer', () => {
  it("emails last month's report to the tenant's contact once, however often it runs", async () => {
    const put = await t.client.api('PUT', `/tenants/${CONTOSO.id}/report-settings`, {
      token: admin,
      body: { reportContact: CONTACT, reportMonthly: true },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.headers.get('etag')).toBeTruthy();

    await fireTimer();
    const { month } = previousMonth(new Date());
    const sent = await reportMails();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ from: MAILBOX, to: [CONTACT], contentType: 'html' });
    expect(sent[0]?.subject).toContain(month);
    expect(sent[0]?.content).toMatch(/^<!doctype html>/);
    expect(sent[0]?.content).toMatch(/verified: \d+ entries, chain intact/);
    expect(sent[0]?.content).not.toMatch(/<script/i);

    await fireTimer();
    expect(await reportMails()).toHaveLength(1);
    const audit = await t.client.api<{ items: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&action=report.mailed`,
      { token: admin },
    );
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]?.details).toMatchObject({ month, to: CONTACT });
    const changes = await t.client.api<{ items: unknown[] }>(
      'GET',
      `/audit?tenantId=${CONTOSO.id}&action=tenant.report_settings_updated`,
      { token: admin },
    );
    expect(changes.body.items).toHaveLength(1);
  });

  it('is run by name only: an unknown function is a 404', async () => {
    const host = new URL(t.stack.apiBaseUrl).origin;
    const response = await fetch(`${host}/admin/functions/noSuchFunction`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});
