import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '../../src/domain/errors';
import { decideRequest, expireApproval, recordDecision } from '../../src/app/approvals';
import { submitRequest } from '../../src/app/requests';
import { fakeDeps, type FakeDeps } from '../support/fakes/deps';
import { approver, CUSTOMER_TENANT_ID, seedConfig, technician } from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * Approve and deny over in-memory ports. The fake orchestration runs the recordDecision activity
 * when the decision event is raised, as the lease orchestration does (test/e2e/workflow.test.ts
 * runs it on the Durable runner).
 */
async function pending(
  approval: Record<string, unknown> = { mode: 'required', approvers: [], deadline: 'PT30M' },
): Promise<{ deps: FakeDeps; orch: FakeLeaseOrchestrations; id: string; requester: ReturnType<typeof technician> }> {
  const deps = fakeDeps();
  await seedConfig(deps, { approval });
  const orch = new FakeLeaseOrchestrations();
  orch.onRaise = async ({ requestId, event, payload }) => {
    if (event !== 'decision') return;
    await recordDecision(deps, {
      requestId,
      approved: payload.approved === 'true' ? 'true' : 'false',
      by: String(payload.by),
      byName: String(payload.byName),
      comment: payload.comment ?? null,
    });
  };
  const requester = technician('alice');
  const request = await submitRequest(deps, orch, requester, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
  return { deps, orch, id: request.id, requester };
}

describe('decideRequest', () => {
  it('an approver approves: the decision is recorded by the activity, with who and the comment, and audited', async () => {
    const { deps, orch, id } = await pending();
    const dave = approver('dave');
    const decided = await decideRequest(deps, orch, dave, id, { approved: true, comment: 'go ahead' });
    expect(decided).toMatchObject({
      status: 'provisioning',
      decision: { approved: true, by: dave.userPrincipalName, comment: 'go ahead' },
    });
    expect(deps.audit.events.at(-1)).toMatchObject({ action: 'request.approved', actor: { id: dave.objectId } });
  });

  it('a denial ends the request and frees the account lock for a new request', async () => {
    const { deps, orch, id, requester } = await pending();
    const decided = await decideRequest(deps, orch, approver('dave'), id, { approved: false, comment: undefined });
    expect(decided).toMatchObject({ status: 'ended', endReason: 'denied' });
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, requester.objectId)).toBeNull();
  });

  it('nobody decides their own request whatever their roles; only approvers decide; refusals are audited, no event raised', async () => {
    const { deps, orch, id, requester } = await pending();
    const self = { ...requester, roles: ['Jit.Approver', 'Jit.Admin'] };
    await expect(decideRequest(deps, orch, self, id, { approved: true, comment: undefined })).rejects.toThrow(
      /cannot decide your own request/,
    );
    await expect(
      decideRequest(deps, orch, technician('bob'), id, { approved: true, comment: undefined }),
    ).rejects.toThrow(ForbiddenError);
    expect(orch.raised).toEqual([]);
    expect(deps.audit.events.filter((e) => e.action === 'request.decision_refused')).toHaveLength(2);
    expect((await deps.requests.get(id))?.value.status).toBe('pending_approval');
  });

  it('when the target names its approvers, an approver not named is refused and a named one decides', async () => {
    const listed = approver('erin');
    const { deps, orch, id } = await pending({
      mode: 'required',
      approvers: [{ type: 'user', id: listed.objectId }],
      deadline: 'PT30M',
    });
    await expect(
      decideRequest(deps, orch, approver('dave'), id, { approved: true, comment: undefined }),
    ).rejects.toThrow(/not one of this target's approvers/);
    expect((await decideRequest(deps, orch, listed, id, { approved: true, comment: undefined })).status).toBe(
      'provisioning',
    );
  });

  it('past the deadline, or once decided, a decision is a 409 and nothing is raised', async () => {
    const { deps, orch, id } = await pending();
    deps.clock.advance(30 * 60_000);
    await expect(
      decideRequest(deps, orch, approver('dave'), id, { approved: true, comment: undefined }),
    ).rejects.toThrow(/past its approval deadline/);
    expect(orch.raised).toEqual([]);
    expect(await expireApproval(deps, id)).toEqual({ status: 'ended' });
    await expect(
      decideRequest(deps, orch, approver('dave'), id, { approved: false, comment: undefined }),
    ).rejects.toThrow(ConflictError);
  });
});

describe('recordDecision', () => {
  it('refuses a decision event from the requester, wherever it came from, and audits it', async () => {
    const { deps, id, requester } = await pending();
    const outcome = await recordDecision(deps, {
      requestId: id,
      approved: 'true',
      by: requester.objectId.toUpperCase(),
      byName: requester.userPrincipalName,
      comment: null,
    });
    // Still pending, still at stage 1: the orchestration notifies nobody new.
    expect(outcome).toEqual({ status: 'pending_approval', stage: 1 });
    expect(deps.audit.events.at(-1)).toMatchObject({
      action: 'request.decision_refused',
      details: { reason: 'self-decision' },
    });
  });
});
