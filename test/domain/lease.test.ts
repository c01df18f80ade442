import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors';
import { transition, type LeaseEvent } from '../../src/domain/lease';
import { leaseRequestSchema, type LeaseRequest } from '../../src/domain/request';

const t0 = new Date('2026-11-23T10:00:00.000Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);
const account = { userPrincipalName: 'jit-alice@contoso.example', objectId: '3c000000-0000-4000-8000-000000000001' };

function provisioning(): LeaseRequest {
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
    status: 'provisioning',
  });
}

function run(request: LeaseRequest, ...events: LeaseEvent[]): LeaseRequest {
  return events.reduce((r, e, i) => leaseRequestSchema.parse(transition(r, e, at(i + 1))), request);
}

describe('the lease lifecycle', () => {
  it('goes provisioning → active → revoking → ended(expired), every state valid', () => {
    const ended = run(
      provisioning(),
      { type: 'provisioned', account, expiresAt: at(3600).toISOString() },
      { type: 'startRevocation', cause: 'expired', by: null },
      { type: 'revoked' },
    );
    expect(ended).toMatchObject({ status: 'ended', endReason: 'expired', account, expiresAt: at(3600).toISOString() });
  });

  it('an early revocation ends with endReason revoked, the revoker, and expiresAt cut to the end', () => {
    const ended = run(
      provisioning(),
      { type: 'provisioned', account, expiresAt: at(3600).toISOString() },
      { type: 'startRevocation', cause: 'revoked', by: 'carol' },
      { type: 'revoked' },
    );
    expect(ended).toMatchObject({
      status: 'ended',
      endReason: 'revoked',
      revokedBy: 'carol',
      endedAt: at(3).toISOString(),
      expiresAt: at(3).toISOString(),
    });
  });

  it('a failed revocation is recorded and can still end', () => {
    const failed = run(
      provisioning(),
      { type: 'provisioned', account, expiresAt: at(60).toISOString() },
      { type: 'startRevocation', cause: 'expired', by: null },
      { type: 'revocationFailed', failure: 'Graph unavailable' },
      { type: 'revocationFailed', failure: 'Graph unavailable again' },
    );
    expect(failed).toMatchObject({ status: 'revocation_failed', failure: 'Graph unavailable again' });
    const ended = run(failed, { type: 'revoked' });
    expect(ended).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect('failure' in ended).toBe(false);
  });

  it('a second revocation keeps the first cause', () => {
    const revoking = run(
      provisioning(),
      { type: 'provisioned', account, expiresAt: at(60).toISOString() },
      { type: 'startRevocation', cause: 'revoked', by: 'alice' },
    );
    expect(run(revoking, { type: 'startRevocation', cause: 'expired', by: null })).toEqual(revoking);
  });

  it('provisioning can fail, keeping the account for clean-up records', () => {
    expect(run(provisioning(), { type: 'provisionFailed', failure: 'no permission', account })).toMatchObject({
      status: 'failed',
      failure: 'no permission',
      account,
    });
  });

  it('approval: approve goes to provisioning, deny and timeout end it', () => {
    const pending = leaseRequestSchema.parse({
      ...provisioning(),
      status: 'pending_approval',
      approvalDeadline: at(3600).toISOString(),
      approvalRequired: true,
    });
    expect(run(pending, { type: 'approve', by: 'bob', comment: null })).toMatchObject({
      status: 'provisioning',
      decision: { approved: true, by: 'bob' },
    });
    expect(run(pending, { type: 'deny', by: 'bob', comment: 'no ticket' })).toMatchObject({
      status: 'ended',
      endReason: 'denied',
    });
    expect(run(pending, { type: 'approvalExpired' })).toMatchObject({ status: 'ended', endReason: 'approval_expired' });
  });

  it.each<[string, LeaseEvent]>([
    ['extend a provisioning request', { type: 'extend', expiresAt: at(99).toISOString() }],
    ['end a request that is not revoking', { type: 'revoked' }],
    ['approve a request that needs no approval', { type: 'approve', by: 'bob', comment: null }],
    ['revoke before it is active', { type: 'startRevocation', cause: 'revoked', by: 'alice' }],
  ])('refuses to %s', (_name, event) => {
    expect(() => transition(provisioning(), event, at(1))).toThrow(ConflictError);
  });

  it('refuses every change to an ended request', () => {
    const ended = run(provisioning(), { type: 'provisionFailed', failure: 'x', account: null });
    for (const event of [
      { type: 'provisioned', account, expiresAt: at(9).toISOString() },
      { type: 'revoked' },
      { type: 'extend', expiresAt: at(9).toISOString() },
    ] as LeaseEvent[]) {
      expect(() => transition(ended, event, at(5))).toThrow(/cannot/);
    }
  });
});
