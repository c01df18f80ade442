import { describe, expect, it } from 'vitest';
import { transition } from '../../src/domain/lease';
import { leaseRequestSchema, type LeaseRequest } from '../../src/domain/request';
import { approvalCard, cardActionSchema } from '../../src/domain/teamsApprovalCard';

const t0 = new Date('2026-12-03T10:00:00.000Z');
const BOB_MRI = '29:1a000000-0000-4000-8000-000000000b0b';

function pending(): LeaseRequest {
  return leaseRequestSchema.parse({
    id: '9b2f0000-0000-4000-8000-000000000001',
    tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
    targetId: 'helpdesk-admin-approved',
    requester: {
      objectId: '1a000000-0000-4000-8000-00000000a11c',
      tenantId: '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601',
      userPrincipalName: 'alice@msp.example',
      displayName: 'Alice Technician',
    },
    duration: 'PT30M',
    justification: 'Reset MFA',
    ticket: 'T-1',
    createdAt: t0.toISOString(),
    updatedAt: t0.toISOString(),
    approvalRequired: true,
    decision: null,
    status: 'pending_approval',
    approvalDeadline: '2026-12-03T11:00:00.000Z',
  });
}

const options = {
  approverUserIds: [BOB_MRI],
  link: 'https://portal.example/requests/9b2f0000-0000-4000-8000-000000000001',
};
const text = (card: unknown): string => JSON.stringify(card);

describe('the Teams approval card', () => {
  it('while pending: the shared view has no buttons and a refresh for the approvers, who get Approve, Deny and a comment', () => {
    const shared = approvalCard(pending(), { kind: 'shared' }, options);
    expect(shared).toMatchObject({ type: 'AdaptiveCard', version: '1.4', refresh: { userIds: [BOB_MRI] } });
    expect(text(shared)).not.toContain('"verb":"approve"');
    expect(text(shared)).toContain('Reset MFA');
    const approver = approvalCard(pending(), { kind: 'approver' }, options);
    expect(text(approver)).toContain('"verb":"approve"');
    expect(text(approver)).toContain('"verb":"deny"');
    expect(text(approver)).toContain('"id":"comment"');
  });

  it('once decided: says who decided, no buttons and no refresh, whoever looks', () => {
    const approved = transition(pending(), { type: 'approve', by: 'bob@msp.example', comment: 'ok' }, t0);
    const card = approvalCard(approved, { kind: 'approver' }, options);
    expect(card.refresh).toBeUndefined();
    expect(text(card)).toContain('Approved by bob@msp.example');
    expect(text(card)).not.toContain('Action.Execute');
  });

  it('a refused click says why and decides nothing', () => {
    const card = approvalCard(pending(), { kind: 'refused', reason: 'you cannot decide your own request' }, options);
    expect(text(card)).toContain('Nothing was decided: you cannot decide your own request');
    expect(text(card)).not.toContain('"verb":"approve"');
  });

  it("reads an action's verb and request id only: a decider named in the data is not part of the contract", () => {
    const parsed = cardActionSchema.parse({
      type: 'Action.Execute',
      verb: 'approve',
      data: { requestId: pending().id, comment: 'ok', approver: 'someone-else' },
    });
    expect(parsed.data).toEqual({ requestId: pending().id, comment: 'ok' });
    expect(
      cardActionSchema.safeParse({ type: 'Action.Execute', verb: 'grant', data: { requestId: pending().id } }).success,
    ).toBe(false);
  });
});
