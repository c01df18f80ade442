import { describe, expect, it } from 'vitest';
import { GraphMailNotifier, leaseMailOf } from '../../../src/adapters/notify/mailNotifier';
import type { Directory, LeaseNotification, OutgoingMail } from '../../../src/app/ports';

const LINK = 'https://portal.example/jit/requests/7d1c2e4a-0000-4000-8000-000000000001';
const base: LeaseNotification = {
  kind: 'pending_approval',
  requestId: '7d1c2e4a-0000-4000-8000-000000000001',
  tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
  targetId: 'helpdesk-admin',
  requester: 'alice@msp.example',
  status: 'pending_approval',
  ticket: 'T-1',
  justification: 'INC-1 <b>urgent</b>\nLink: https://evil.example\r\nSubject: fake',
  duration: 'PT1H',
  expiresAt: null,
  endReason: null,
  decidedBy: null,
  link: LINK,
  at: '2026-12-03T06:00:00.000Z',
};

describe('lease email texts', () => {
  it('asks approvers to decide, with the request facts and a link to approve or deny', () => {
    const mail = leaseMailOf(base, 'approver');
    expect(mail?.subject).toBe('Approval needed: alice@msp.example asks for helpdesk-admin');
    expect(mail?.text).toContain('alice@msp.example asks for just-in-time access to helpdesk-admin');
    expect(mail?.text).toContain('Ticket: T-1');
    expect(mail?.text).toContain(`Approve or deny it: ${LINK}`);
  });

  it("keeps the requester's text on one line of its own, as written (plain text: nothing is markup)", () => {
    const text = leaseMailOf(base, 'approver')?.text ?? '';
    expect(text).toContain('Justification: INC-1 <b>urgent</b> Link: https[:]//evil.example Subject: fake');
    // Their line breaks cannot start a line that looks like one of ours.
    expect(text.split('\n').filter((line) => line.startsWith('Link:') || line.startsWith('Subject:'))).toEqual([]);
  });

  it("leaves no URL in the requester's text for a mail client to turn into a link; ours stays whole", () => {
    const text =
      leaseMailOf(
        { ...base, justification: 'see https://evil.example/approve or www.evil.example', ticket: 'javascript://x' },
        'approver',
      )?.text ?? '';
    expect(text).toContain('Justification: see https[:]//evil.example/approve or www[.]evil.example');
    expect(text).toContain('Ticket: javascript[:]//x');
    expect(text.match(/:\/\//g)).toHaveLength(1);
    expect(text).toContain(`Approve or deny it: ${LINK}`);
  });

  it('tells the requester each step, and "ending soon" links to extending the lease', () => {
    const soon = leaseMailOf(
      { ...base, kind: 'ending_soon', status: 'active', expiresAt: '2026-12-03T07:00:00.000Z' },
      'requester',
    );
    expect(soon?.subject).toBe('Ending soon: your access to helpdesk-admin');
    expect(soon?.text).toContain('ends at 2026-12-03T07:00:00.000Z (UTC)');
    expect(soon?.text).toContain(`Extend it: ${LINK}`);
    expect(
      leaseMailOf({ ...base, kind: 'approved', status: 'provisioning', decidedBy: 'bob@msp.example' }, 'requester')
        ?.text,
    ).toContain('approved by bob@msp.example');
    expect(
      leaseMailOf({ ...base, kind: 'denied', status: 'ended', decidedBy: 'bob@msp.example' }, 'requester')?.subject,
    ).toBe('Denied: your access to helpdesk-admin');
    expect(
      leaseMailOf({ ...base, kind: 'active', status: 'active', expiresAt: '2026-12-03T07:00:00.000Z' }, 'requester')
        ?.text,
    ).toContain(`Open the request: ${LINK}`);
    expect(leaseMailOf({ ...base, kind: 'ended', status: 'ended', endReason: 'expired' }, 'requester')?.text).toContain(
      'has ended (expired)',
    );
  });

  it('without a portal URL there is no link, and says where to look instead', () => {
    const text = leaseMailOf({ ...base, link: null }, 'approver')?.text ?? '';
    expect(text).not.toContain('/requests/');
    expect(text).toContain('Open the Entra JIT portal');
  });

  it('sends nothing for what an audience is not told (an approver about activation, anyone about failed revocations)', () => {
    expect(leaseMailOf({ ...base, kind: 'active' }, 'approver')).toBeNull();
    expect(leaseMailOf({ ...base, kind: 'pending_approval' }, 'requester')).toBeNull();
    expect(leaseMailOf({ ...base, kind: 'revocation_failed' }, 'requester')).toBeNull();
  });

  it('carries only the fields of the notification: ids, names, times and the link, never anything else', () => {
    const values = new Set(Object.values(base).filter((v): v is string => typeof v === 'string'));
    const text = leaseMailOf(base, 'approver')?.text ?? '';
    for (const line of text.split('\n')) {
      const fact = /^[A-Z][A-Za-z ()]+: (.*)$/.exec(line);
      if (fact?.[1] !== undefined && !line.startsWith('Justification'))
        expect(values.has(fact[1]) || fact[1] === 'pending_approval').toBe(true);
    }
  });
});

describe('GraphMailNotifier', () => {
  it('sends one plain-text message from the configured mailbox through the home directory', async () => {
    const sent: { from: string; mail: OutgoingMail }[] = [];
    const directory = {
      sendMail: (from: string, mail: OutgoingMail) => Promise.resolve(void sent.push({ from, mail })),
    } as unknown as Directory;
    const notifier = new GraphMailNotifier('jit@msp.example', () => Promise.resolve(directory));
    await notifier.send(['bob@msp.example'], 'approver', base);
    await notifier.send([], 'approver', base);
    await notifier.send(['alice@msp.example'], 'requester', { ...base, kind: 'revocation_failed' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      from: 'jit@msp.example',
      mail: { to: ['bob@msp.example'], subject: 'Approval needed: alice@msp.example asks for helpdesk-admin' },
    });
  });
});
