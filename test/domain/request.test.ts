import { describe, expect, it } from 'vitest';
import { transition } from '../../src/domain/lease';
import { leaseRequestSchema, withRevokeReason, type LeaseRequest } from '../../src/domain/request';

const t0 = new Date('2026-11-23T10:00:00.000Z');
const account = { userPrincipalName: 'jit-alice@contoso.example', objectId: '3c000000-0000-4000-8000-000000000001' };

function active(): LeaseRequest {
  return leaseRequestSchema.parse({
    id: '9b2f0000-0000-4000-8000-000000000001',
    tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
    targetId: 'helpdesk-admin',
    requester: {
      objectId: '1a000000-0000-4000-8000-00000000a11c',
      tenantId: '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601',
      userPrincipalName: 'alice@msp.example',
    },
    duration: 'PT1H',
    justification: null,
    ticket: null,
    createdAt: t0.toISOString(),
    updatedAt: t0.toISOString(),
    approvalRequired: false,
    decision: null,
    status: 'active',
    account,
    activatedAt: t0.toISOString(),
    expiresAt: new Date(t0.getTime() + 3600_000).toISOString(),
  });
}

describe('withRevokeReason', () => {
  it('records the reason on a live request, and the lease carries it (and the revoker) to its end', () => {
    const annotated = withRevokeReason(active(), 'done early', t0);
    expect(annotated).toMatchObject({ status: 'active', revokeReason: 'done early' });
    const revoking = transition(
      annotated ?? active(),
      { type: 'startRevocation', cause: 'revoked', by: 'alice@msp.example' },
      t0,
    );
    const ended = leaseRequestSchema.parse(transition(revoking, { type: 'revoked' }, t0));
    expect(ended).toMatchObject({
      status: 'ended',
      endReason: 'revoked',
      revokedBy: 'alice@msp.example',
      revokeReason: 'done early',
    });
  });

  it('keeps what is there: a reason already recorded, or a lease already ending', () => {
    const first = withRevokeReason(active(), 'first', t0);
    expect(first === null ? null : withRevokeReason(first, 'second', t0)).toBeNull();
    const expiring = transition(active(), { type: 'startRevocation', cause: 'expired', by: null }, t0);
    expect(withRevokeReason(expiring, 'too late', t0)).toBeNull();
  });
});
