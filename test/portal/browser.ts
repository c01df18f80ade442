import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { freePort } from '../../local/ports';
import { startStack, type RunningStack } from '../../local/stack';
import { StackClient } from '../support/client';
import { testEnv, uniqueName } from '../support/env';

/**
 * The portal in a real browser (Debian's Chromium, headless) against the whole local stack with the
 * built portal served as `npm start` serves it. One browser per test file; a context per person.
 */
export const CHROMIUM = process.env.JIT_CHROMIUM ?? '/usr/bin/chromium';

export interface PortalStack {
  readonly stack: RunningStack;
  readonly client: StackClient;
  readonly portalUrl: string;
}

export async function startPortalStack(): Promise<PortalStack> {
  process.env['AzureWebJobs.reconciler.Disabled'] ??= 'true';
  const stack = await startStack({
    apiPort: await freePort(),
    sandboxPort: await freePort(),
    tablePort: await freePort(),
    portalPort: await freePort(),
    stateDir: join(testEnv('JIT_TEST_DIR'), uniqueName('state')),
    tlsDir: testEnv('JIT_TEST_TLS_DIR'),
    persist: false,
    taskHub: uniqueName('hub'),
    seedDemo: 'full',
    log: () => undefined,
  });
  if (stack.portalUrl === undefined) throw new Error('the stack serves no portal');
  return { stack, client: new StackClient(stack.apiBaseUrl, stack.sandboxUrl), portalUrl: stack.portalUrl };
}

/** The whole stack with the portal, Chromium, and one person signed in (the tests' usual start). */
export interface SignedInPortal {
  readonly portal: PortalStack;
  readonly browser: Browser;
  readonly page: Page;
}

export async function openPortalAs(userName: string): Promise<SignedInPortal> {
  const portal = await startPortalStack();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await newPersonContext(browser)).newPage();
    await signIn(page, portal.portalUrl, userName);
    return { portal, browser, page };
  } catch (error) {
    await closePortal({ portal, ...(browser !== undefined ? { browser } : {}) });
    throw error;
  }
}

/** Closes what `openPortalAs` opened, whatever of it was opened. */
export async function closePortal(opened: Partial<SignedInPortal>): Promise<void> {
  await opened.browser?.close();
  await opened.portal?.stack.close();
}

/** Opens a page from the portal's navigation, as a person does, and waits for its heading. */
export async function openFromNav(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A person's browser session: the sandbox's TLS comes from the local CA, which this Chromium does not know. */
export function newPersonContext(
  browser: Browser,
  viewport = { width: 1440, height: 900 },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport, colorScheme });
}

/** Signs in through the portal's "Sign in", the sandbox's sign-in page, and back; returns on "My access". */
export async function signIn(page: Page, portalUrl: string, userName: string): Promise<void> {
  await page.goto(portalUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('User name').fill(userName);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My access', level: 1 }).waitFor({ timeout: 15_000 });
}

/**
 * With JIT_PORTAL_SCREENSHOTS=<dir> set, saves the page as <dir>/<name>.png (the README's pictures
 * are made this way); otherwise does nothing.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.JIT_PORTAL_SCREENSHOTS;
  if (dir === undefined || dir === '') return;
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical findings on the page as it is now (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Everything the page keeps in browser storage, to check that no credential is ever there. */
export async function browserStorage(page: Page): Promise<string> {
  // Evaluated in the page (a string: these tests compile without the DOM's types).
  const stored = await page.evaluate<string>(`(() => {
    const dump = (s) => Array.from({ length: s.length }, (_, i) => s.key(i) + '=' + s.getItem(s.key(i)));
    return [...dump(window.sessionStorage), ...dump(window.localStorage), document.cookie].join('\\n');
  })()`);
  expect(typeof stored).toBe('string');
  return stored;
}

/** Types as a person does, key by key (the picker opens its list on typing). */
export async function typeInto(input: Locator, text: string): Promise<void> {
  await input.click();
  await input.pressSequentially(text);
}

/**
 * Chooses in a picker (Fluent TagPicker) as a person does: types into it, waits for the option
 * (the search goes to the API), and clicks it; the choice then shows as a tag.
 */
export async function pick(scope: Locator, label: string, text: string, option: string | RegExp): Promise<void> {
  await typeInto(scope.getByRole('combobox', { name: label }), text);
  await scope
    .page()
    .getByRole('listbox', { name: `Matches: ${label}` })
    .getByRole('option', { name: option })
    .click();
  await scope
    .getByRole('listbox', { name: `Chosen: ${label}` })
    .getByRole('option', { name: option })
    .waitFor();
}
