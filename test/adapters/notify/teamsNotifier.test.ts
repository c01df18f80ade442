import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adaptiveCardOf, markdownEscaped } from '../../../src/adapters/notify/teamsNotifier';
import type { LeaseNotification } from '../../../src/app/ports';

const notification: LeaseNotification = {
  kind: 'pending_approval',
  requestId: '7d1c2e4a-0000-4000-8000-000000000001',
  tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
  targetId: 'helpdesk-admin',
  requester: 'alice@msp.example',
  status: 'pending_approval',
  ticket: 'T-1 **urgent**',
  justification: 'please [click](https://evil) and **x**\n- a list item',
  duration: 'PT1H',
  expiresAt: null,
  endReason: null,
  decidedBy: null,
  link: 'https://portal.example/jit/requests/7d1c2e4a-0000-4000-8000-000000000001',
  at: '2026-12-03T06:00:00.000Z',
};

/** The facts of the card, by title. */
function factsOf(n: LeaseNotification): Record<string, string> {
  const card = adaptiveCardOf(n) as {
    attachments: { content: { body: { type: string; facts?: { title: string; value: string }[] }[] } }[];
  };
  const facts = card.attachments[0]?.content.body.find((b) => b.type === 'FactSet')?.facts ?? [];
  return Object.fromEntries(facts.map((f) => [f.title, f.value]));
}

/** What CommonMark shows for text of only backslash escapes: each escaped punctuation as itself. */
function shown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('the Teams card', () => {
  it('shows what the requester wrote as text, never as a link, bold text or a list', () => {
    const facts = factsOf(notification);
    expect(facts.Justification).toBe('please \\[click\\]\\(https\\:\\/\\/evil\\) and \\*\\*x\\*\\* \\- a list item');
    expect(facts.Ticket).toBe('T\\-1 \\*\\*urgent\\*\\*');
    expect(JSON.stringify(adaptiveCardOf(notification))).not.toContain('[click](');
    // The reader still sees exactly what was written.
    expect(shown(facts.Justification ?? '')).toBe('please [click](https://evil) and **x** - a list item');
  });

  it('escapes every markup character, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), (text) => {
        const escaped = markdownEscaped(text);
        // Every punctuation character is preceded by an (unescaped) backslash: nothing is markup.
        expect(escaped.replace(/\\[!-/:-@[-`{-~]/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
        expect(shown(escaped)).toBe(text.replace(/\r\n?|\n/g, ' '));
      }),
    );
  });

  it('keeps its own ids, times and the link as they are', () => {
    const facts = factsOf({ ...notification, expiresAt: '2026-12-03T07:00:00.000Z' });
    expect(facts).toMatchObject({
      Request: notification.requestId,
      Tenant: notification.tenantId,
      Duration: 'PT1H',
      Expires: '2026-12-03T07:00:00.000Z',
    });
  });
});
