import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/ports';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { startTestSandbox } from './helpers';
import { authorizeUrl, redirectParams } from './spaSignIn';

/**
 * The sandbox's sign-in page in a real browser (Debian's Chromium): found by its label and button as
 * a person finds it, no CSP violation (no script at all), the form's redirect to the SPA allowed by
 * `form-action`, and no serious accessibility finding.
 */
const CHROMIUM = process.env.JIT_CHROMIUM ?? '/usr/bin/chromium';
let sandbox: RunningSandbox;
let browser: Browser;
let spa: Server;
let spaOrigin = '';

beforeAll(async () => {
  const port = await freePort();
  spaOrigin = `http://127.0.0.1:${port}`;
  spa = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>SPA</title>'));
  await new Promise<void>((resolve) => spa.listen(port, '127.0.0.1', resolve));
  expect((spa.address() as AddressInfo).port).toBe(port);
  sandbox = await startTestSandbox({ spaRedirectUris: [`${spaOrigin}/`] });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await new Promise((resolve) => spa?.close(resolve));
});

describe('the sandbox sign-in page in Chromium', () => {
  it('signs alice in by "User name" and "Sign in", lands on the SPA with a code, with no CSP violation', async () => {
    // The sandbox's CA is not this browser's: as a newcomer accepting the warning once.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: `${spaOrigin}/`, state: 'st' }));
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual(
      [],
    );
    await expect(page.getByText('alice@msp.example').count()).resolves.toBeGreaterThan(0);
    await page.getByLabel('User name').fill('alice@msp.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === spaOrigin, { timeout: 10_000 });
    const params = redirectParams(page.url());
    expect(params.get('state')).toBe('st');
    expect(params.get('code')).toBeTruthy();
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await context.close();
  });

  it('shows an unknown user name next to the field, and stays on the page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(authorizeUrl({ sandboxUrl: sandbox.url, redirectUri: `${spaOrigin}/` }));
    await page.getByLabel('User name').fill('nobody@msp.example');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('AADSTS50034');
    expect(new URL(page.url()).origin).toBe(sandbox.url);
    await context.close();
  });
});
