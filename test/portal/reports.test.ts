import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOME_USERS } from '../../local/sandbox/seed';
import { closePortal, openFromNav, openPortalAs, seriousViolations, type SignedInPortal } from './browser';

/**
 * "Reports" in Chromium against the whole local stack: carol picks Contoso and today, downloads the
 * CSV and opens the printable page (its own CSP, no script); a period that ends before it starts is
 * refused with the API's words next to the buttons. Found by role and accessible name.
 */
let opened: Partial<SignedInPortal> = {};
let carol: Page;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  opened = await openPortalAs(HOME_USERS.carol.userPrincipalName);
  carol = (opened as SignedInPortal).page;
  await openFromNav(carol, 'Reports');
}, 120_000);

afterAll(() => closePortal(opened));

async function choose(from: string, to: string): Promise<void> {
  await carol.getByRole('combobox', { name: 'Tenant' }).selectOption({ label: 'Contoso' });
  await carol.getByLabel('From').fill(from);
  await carol.getByLabel('To').fill(to);
}

describe('the Reports page in a browser', () => {
  it('downloads the CSV of a tenant and period', async () => {
    await choose(today, today);
    const download = carol.waitForEvent('download');
    await carol.getByRole('button', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    expect(csv).toContain('Entra JIT customer report');
    for (const section of ['Leases', 'Sign-ins', 'Configuration changes']) expect(csv).toContain(`\r\n${section}\r\n`);
    // The demo configuration was made today through the admin API: its changes are in the report.
    expect(csv).toMatch(/target\.created,target helpdesk-admin/);
    expect((await download).suggestedFilename()).toMatch(
      new RegExp(`^entra-jit-report-[0-9a-f-]+-${today}-${today}\\.csv$`),
    );
  });

  it('opens the printable report in a new page that runs no script and carries its own CSP', async () => {
    await choose(today, today);
    const opened = carol.context().waitForEvent('page');
    await carol.getByRole('button', { name: 'Open printable report' }).click();
    const report = await opened;
    await report.getByRole('heading', { level: 1, name: /Just-in-time access report: Contoso/ }).waitFor();
    expect(await report.getByText(/verified: \d+ entries, chain intact/).count()).toBe(1);
    expect(await report.locator('script').count()).toBe(0);
    const csp = await report.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    // The style sheet applied (allowed by its hash): headers are shaded.
    const shade: unknown = await report.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor");
    expect(shade).toBe('rgb(238, 238, 238)');
    await report.close();
  });

  it("shows the API's problem when the period ends before it starts, and passes an axe scan", async () => {
    await choose(today, '2020-01-01');
    await carol.getByRole('button', { name: 'Download CSV' }).click();
    await expect.poll(() => carol.getByRole('alert').textContent()).toContain('to: must not be before from');
    expect(await seriousViolations(carol)).toEqual([]);
  });
});
