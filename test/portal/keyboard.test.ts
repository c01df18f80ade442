import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS } from '../../local/sandbox/seed';
import { launchChromium, newPersonContext, signIn, startPortalStack, type PortalStack } from './browser';

/**
 * Keyboard only: alice requests "Helpdesk admin" from "My access" and reveals the credential with
 * Tab, Enter and Space, no click, and every control the focus passes shows that it has it (an
 * outline, Fluent's focus ring drawn by its ::after, or a link's double underline). Signing in (the sandbox's page) is setup.
 * Then, on the revealed credential, the copy buttons (read back from the clipboard) and the link
 * to the customer tenant's sign-in page.
 */
let portal: PortalStack;
let browser: Browser;
let alice: Page;

beforeAll(async () => {
  portal = await startPortalStack();
  browser = await launchChromium();
  alice = await (await newPersonContext(browser)).newPage();
  alice.setDefaultTimeout(15_000);
  await signIn(alice, portal.portalUrl, HOME_USERS.alice.userPrincipalName);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.stack.close();
});

interface Focused {
  readonly tag: string;
  readonly name: string;
  /** What shows the focus: an outline, a ring of the ::after/::before, a box shadow, a link's double underline; '' when nothing does. */
  readonly indicator: string;
}

/** The focused element, its accessible name as a person reads it, and what makes its focus visible. */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', name: '', indicator: '' };
    const labelled = el.getAttribute('aria-labelledby');
    const name = (el.getAttribute('aria-label') ||
      (labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '') ||
      (el.labels && el.labels[0] ? el.labels[0].textContent : '') || el.textContent || '').trim();
    const found = [];
    for (const pseudo of [null, '::after', '::before']) {
      const s = getComputedStyle(el, pseudo);
      if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) found.push((pseudo ?? '') + 'outline ' + s.outlineWidth);
      if (pseudo && s.content !== 'none' && s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) > 0)
        found.push(pseudo + ' border ' + s.borderTopWidth);
      if (s.boxShadow && s.boxShadow !== 'none') found.push((pseudo ?? '') + 'box-shadow');
    }
    // Fluent's Input and Textarea: their wrapper's ::after, a bottom bar scaled from 0 to full width on focus.
    for (const box of [el.parentElement, el.parentElement?.parentElement]) {
      if (!box) continue;
      const after = getComputedStyle(box, '::after');
      const shown = !after.transform.startsWith("matrix(0,");
      if (after.content !== 'none' && after.borderBottomStyle !== 'none' && parseFloat(after.borderBottomWidth) > 0 && shown)
        found.push('underline bar ' + after.borderBottomWidth);
    }
    // Fluent's Link shows focus as a double underline.
    const own = getComputedStyle(el);
    if (own.textDecorationStyle === 'double' && own.textDecorationLine.includes('underline')) found.push('double underline');
    return { tag: el.tagName.toLowerCase(), name, indicator: found.join(', ') };
  })()`);
}

/**
 * Presses Tab until the focus is on a control whose name matches, checking on the way that every
 * control the focus lands on shows it. Returns the controls passed.
 */
async function tabTo(page: Page, name: RegExp, maxPresses = 60): Promise<Focused[]> {
  const passed: Focused[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    // Fluent draws some focus indicators with a short transition: measure once it has run.
    await page.evaluate('Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined)))');
    const now = await focused(page);
    passed.push(now);
    expect(now.indicator, `no visible focus on <${now.tag}> "${now.name}"`).not.toBe('');
    if (name.test(now.name)) return passed;
  }
  throw new Error(
    `no control named ${String(name)} within ${maxPresses} Tab presses: ${passed.map((f) => f.name).join(' | ')}`,
  );
}

describe('the portal with the keyboard only', () => {
  it('alice requests access from "My access" and reveals the credential without a click, the focus visible throughout', async () => {
    await alice.getByRole('row').nth(1).waitFor();
    const toRequest = await tabTo(alice, /^Request access/);
    // The first row offered is Helpdesk admin in Contoso (the seed's demo target).
    expect(toRequest.length).toBeGreaterThan(1);
    await alice.keyboard.press('Enter');
    const form = alice.getByRole('form', { name: /^Request access: / });
    await form.waitFor();
    const formName = (await form.getAttribute('aria-label')) ?? '';
    // In the dialog: the focus stays inside it (trapped), on to its submit button.
    const inForm = await tabTo(alice, /^Request access$/);
    expect(inForm.length).toBeGreaterThan(0);
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();

    const title = formName.replace(/^Request access: /, '');
    const card = alice.getByRole('region', { name: title }).first();
    await card.getByText('Active', { exact: true }).waitFor({ timeout: 30_000 });
    await tabTo(alice, /^Reveal$/);
    await alice.keyboard.press('Space');
    const credential = card.getByRole('group', { name: 'Credential' });
    expect(await credential.getByLabel('User name').inputValue()).toMatch(/@contoso\.example$/);
    expect((await credential.getByLabel('Password').inputValue()).length).toBeGreaterThanOrEqual(16);
  });
});

describe('the revealed credential', () => {
  it('copies the user name and the password to the clipboard, and links to the sign-in page of the customer tenant', async () => {
    await alice.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.portalUrl });
    const credential = alice.getByRole('group', { name: 'Credential' });
    const userName = await credential.getByLabel('User name').inputValue();
    const password = await credential.getByLabel('Password').inputValue();
    const clipboard = () => alice.evaluate<string>('navigator.clipboard.readText()');

    await credential.getByRole('button', { name: 'Copy user name' }).click();
    await credential.getByText('User name copied').waitFor();
    expect(await clipboard()).toBe(userName);
    await credential.getByRole('button', { name: 'Copy password' }).click();
    await credential.getByText('Password copied').waitFor();
    expect(await clipboard()).toBe(password);

    const link = alice.getByRole('link', { name: /^Open the sign-in page of / });
    expect(await link.getAttribute('href')).toBe(`https://myapps.microsoft.com/?tenantId=${CONTOSO.id}`);
    // A new tab that cannot reach back into the portal's page.
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
  });
});
