import { describe, expect, it } from 'vitest';
import { APPROVER_ROLE } from '../../src/domain/caller';
import {
  checkApprover,
  isApproved,
  startApproval,
  stagesOf,
  withApproval,
  type ApprovalProgress,
} from '../../src/domain/approvalProgress';
import { approvalPolicySchema, targetSchema } from '../../src/domain/config';
import { leaseRequestSchema } from '../../src/domain/request';

const REQUESTER = '1a000000-0000-4000-8000-00000000a11c';
const LEAD = '1a000000-0000-4000-8000-00000000da7e';
const SECURITY = '1a000000-0000-4000-8000-000000000b0b';
const OTHER = '1a000000-0000-4000-8000-0000000ca201';
const SEC_GROUP = '2b000000-0000-4000-8000-00000000f172';
const at = '2026-12-03T10:00:00.000Z';

const reviewer = (objectId: string, groups: string[] = [], roles: string[] = []) => ({ objectId, groups, roles });

function approve(progress: ApprovalProgress, objectId: string): ApprovalProgress {
  const check = checkApprover(progress, REQUESTER, reviewer(objectId));
  if (!check.allowed) throw new Error(check.reason);
  return withApproval(progress, { by: objectId, byObjectId: objectId, at, comment: null, stage: check.stage });
}

describe('approval policy', () => {
  it('reads a policy stored before approvalsRequired and stages as one stage needing one approval', () => {
    const legacy = approvalPolicySchema.parse({
      mode: 'required',
      approvers: [{ type: 'user', id: LEAD }],
      deadline: 'PT1H',
    });
    expect(stagesOf(legacy)).toEqual([
      { name: 'Approval', approvers: [{ type: 'user', id: LEAD }], approvalsRequired: 1 },
    ]);
    expect(stagesOf(approvalPolicySchema.parse({ mode: 'none' }))[0]?.approvalsRequired).toBe(1);
  });

  it('refuses more approvals than listed users, and stages mixed with approvers', () => {
    const tooMany = approvalPolicySchema.safeParse({
      mode: 'required',
      approvers: [{ type: 'user', id: LEAD }],
      approvalsRequired: 2,
    });
    expect(tooMany.success).toBe(false);
    expect(tooMany.error?.issues[0]?.path).toEqual(['approvalsRequired']);
    // A group may hold any number of people: not refused.
    expect(
      approvalPolicySchema.safeParse({
        mode: 'required',
        approvers: [{ type: 'group', id: SEC_GROUP }],
        approvalsRequired: 3,
      }).success,
    ).toBe(true);
    const mixed = approvalPolicySchema.safeParse({
      mode: 'required',
      approvers: [{ type: 'user', id: LEAD }],
      stages: [{ name: 'Lead', approvers: [{ type: 'user', id: LEAD }] }],
    });
    expect(mixed.success).toBe(false);
    expect(mixed.error?.issues[0]?.message).toMatch(/either stages or approvers/);
  });

  it('loads a target row without maxScheduleAhead (no scheduling) and refuses more than P90D', () => {
    const row = {
      kind: 'adminAccount',
      tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
      targetId: 'old',
      name: 'Old',
      createdAt: at,
      updatedAt: at,
    };
    expect(targetSchema.parse(row).maxScheduleAhead).toBeUndefined();
    expect(targetSchema.safeParse({ ...row, maxScheduleAhead: 'P91D' }).success).toBe(false);
  });
});

describe('approval progress', () => {
  const policy = approvalPolicySchema.parse({
    mode: 'required',
    stages: [
      { name: 'Team lead', approvers: [{ type: 'user', id: LEAD }] },
      { name: 'Security', approvers: [{ type: 'group', id: SEC_GROUP }], approvalsRequired: 2 },
    ],
  });

  it('goes stage by stage: a later stage approver is refused until the earlier stage is complete', () => {
    let progress = startApproval(stagesOf(policy));
    expect(progress).toMatchObject({ required: 3, received: 0, stage: { name: 'Team lead', index: 1, of: 2 } });
    const early = checkApprover(progress, REQUESTER, reviewer(SECURITY, [SEC_GROUP]));
    expect(early).toMatchObject({ allowed: false, conflict: false });
    progress = approve(progress, LEAD);
    expect(progress.stage).toMatchObject({ name: 'Security', index: 2, received: 0, approvalsRequired: 2 });
    // The lead is not in the security group: not theirs to decide now.
    expect(checkApprover(progress, REQUESTER, reviewer(LEAD))).toMatchObject({ allowed: false, conflict: false });
    progress = withApproval(progress, { by: 's', byObjectId: SECURITY, at, comment: null, stage: 2 });
    expect(isApproved(progress)).toBe(false);
    // The same person counts once (a 409, not a 403).
    expect(checkApprover(progress, REQUESTER, reviewer(SECURITY, [SEC_GROUP]))).toMatchObject({
      allowed: false,
      conflict: true,
    });
    progress = withApproval(progress, { by: 'o', byObjectId: OTHER, at, comment: null, stage: 2 });
    expect(isApproved(progress)).toBe(true);
    expect(progress).toMatchObject({ received: 3, stage: null });
  });

  it('never counts the requester, whatever their roles or groups', () => {
    const anyApprover = startApproval(stagesOf(approvalPolicySchema.parse({ mode: 'required', approvalsRequired: 2 })));
    const own = checkApprover(anyApprover, REQUESTER, reviewer(REQUESTER, [SEC_GROUP], [APPROVER_ROLE]));
    expect(own.allowed).toBe(false);
    expect(own.allowed ? '' : own.reason).toMatch(/own request/);
    expect(checkApprover(anyApprover, REQUESTER, reviewer(SECURITY, [], [APPROVER_ROLE]))).toEqual({
      allowed: true,
      stage: 1,
    });
  });

  it('refuses the requester and outsiders with a 403 on a request already decided, never a 409 that tells its state', () => {
    let progress = startApproval(stagesOf(policy));
    progress = approve(progress, LEAD);
    progress = withApproval(progress, { by: 's', byObjectId: SECURITY, at, comment: null, stage: 2 });
    progress = withApproval(progress, { by: 'o', byObjectId: OTHER, at, comment: null, stage: 2 });
    expect(isApproved(progress)).toBe(true);
    const own = checkApprover(progress, REQUESTER, reviewer(REQUESTER, [SEC_GROUP], [APPROVER_ROLE]));
    expect(own).toMatchObject({ allowed: false, conflict: false });
    expect(own.allowed ? '' : own.reason).toMatch(/own request/);
    expect(checkApprover(progress, REQUESTER, reviewer('1a000000-0000-4000-8000-0000000e0e0e'))).toMatchObject({
      allowed: false,
      conflict: false,
    });
    // An approver of the request learns it is decided (409).
    expect(checkApprover(progress, REQUESTER, reviewer(LEAD))).toMatchObject({ allowed: false, conflict: true });
  });

  it('keeps a request row without approval progress or startAt loadable (rows older than this)', () => {
    const row = {
      id: '9b2f0000-0000-4000-8000-000000000001',
      tenantId: '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
      targetId: 'helpdesk-admin',
      requester: {
        objectId: REQUESTER,
        tenantId: '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601',
        userPrincipalName: 'a@msp.example',
      },
      duration: 'PT1H',
      justification: null,
      ticket: null,
      createdAt: at,
      updatedAt: at,
      approvalRequired: true,
      decision: null,
      status: 'pending_approval',
      approvalDeadline: at,
    };
    const parsed = leaseRequestSchema.parse(row);
    expect(parsed.approval).toBeUndefined();
    expect(parsed.startAt).toBeUndefined();
  });
});
