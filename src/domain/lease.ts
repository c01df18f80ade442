import { ConflictError } from './errors';
import type { ApprovalProgress } from './approvalProgress';
import type { AccountRef, LeaseRequest, RevokeCause } from './request';

/**
 * The request lifecycle as one pure function: every status change goes through `transition`,
 * which refuses any change the lifecycle does not allow.
 *
 *   pending_approval ─approve─▶ provisioning ─provisioned─▶ active ─startRevocation─▶ revoking ─revoked─▶ ended
 *     │ ▲     │deny/approvalExpired/   ▲   │provisionFailed    │extend (stays active)    │revocationFailed
 *     └─┘     │withdraw                │   ▼                                             ▼
 *  approvePartially   ▼   approve    start failed                                 revocation_failed ─revoked─▶ ended
 *               ended  ──(startAt)──▶ scheduled ─withdraw─▶ ended
 */
export type LeaseEvent =
  | {
      readonly type: 'approve';
      readonly by: string;
      readonly comment: string | null;
      /** The progress with this (last) approval; absent for a request older than multi-approver policies. */
      readonly approval?: ApprovalProgress;
    }
  | { readonly type: 'approvePartially'; readonly approval: ApprovalProgress }
  | { readonly type: 'deny'; readonly by: string; readonly comment: string | null }
  | { readonly type: 'start' }
  | { readonly type: 'approvalExpired' }
  | { readonly type: 'withdraw'; readonly by: string }
  | {
      readonly type: 'recordElevationGrant';
      readonly grant: { readonly roles: readonly string[]; readonly groups: readonly string[] };
    }
  | { readonly type: 'provisioned'; readonly account: AccountRef; readonly expiresAt: string }
  | { readonly type: 'provisionFailed'; readonly failure: string; readonly account: AccountRef | null }
  | { readonly type: 'extend'; readonly expiresAt: string; readonly extensionId?: string }
  | { readonly type: 'startRevocation'; readonly cause: RevokeCause; readonly by: string | null }
  | { readonly type: 'revocationFailed'; readonly failure: string }
  | { readonly type: 'revoked' };

type Common = Pick<
  LeaseRequest,
  | 'id'
  | 'tenantId'
  | 'targetId'
  | 'requester'
  | 'duration'
  | 'justification'
  | 'ticket'
  | 'createdAt'
  | 'updatedAt'
  | 'approvalRequired'
  | 'decision'
  | 'targetKind'
  | 'credentialType'
  | 'elevationGrant'
  | 'origin'
  | 'lastExtensionId'
  | 'revokeReason'
  | 'approval'
  | 'startAt'
  | 'tenantName'
  | 'targetName'
>;

function commonOf(r: LeaseRequest, updatedAt: string): Common {
  return {
    id: r.id,
    tenantId: r.tenantId,
    targetId: r.targetId,
    requester: r.requester,
    duration: r.duration,
    justification: r.justification,
    ticket: r.ticket,
    createdAt: r.createdAt,
    updatedAt,
    approvalRequired: r.approvalRequired,
    decision: r.decision,
    ...(r.targetKind !== undefined ? { targetKind: r.targetKind } : {}),
    ...(r.credentialType !== undefined ? { credentialType: r.credentialType } : {}),
    ...(r.elevationGrant !== undefined ? { elevationGrant: r.elevationGrant } : {}),
    ...(r.origin !== undefined ? { origin: r.origin } : {}),
    ...(r.lastExtensionId !== undefined ? { lastExtensionId: r.lastExtensionId } : {}),
    ...(r.revokeReason !== undefined ? { revokeReason: r.revokeReason } : {}),
    ...(r.approval !== undefined ? { approval: r.approval } : {}),
    ...(r.startAt !== undefined ? { startAt: r.startAt } : {}),
    ...(r.tenantName !== undefined ? { tenantName: r.tenantName } : {}),
    ...(r.targetName !== undefined ? { targetName: r.targetName } : {}),
  };
}

export function transition(request: LeaseRequest, event: LeaseEvent, now: Date): LeaseRequest {
  const at = now.toISOString();
  const common = commonOf(request, at);
  const r = request;
  switch (event.type) {
    case 'approve':
    case 'deny': {
      if (r.status !== 'pending_approval') break;
      const decision = { approved: event.type === 'approve', by: event.by, at, comment: event.comment };
      if (event.type === 'approve') {
        const approved = { ...common, ...(event.approval !== undefined ? { approval: event.approval } : {}), decision };
        // Scheduled access waits for its start; approved after the start, it begins now.
        return r.startAt !== undefined && Date.parse(r.startAt) > now.getTime()
          ? { ...approved, status: 'scheduled', startAt: r.startAt }
          : { ...approved, status: 'provisioning' };
      }
      return {
        ...common,
        decision,
        status: 'ended',
        endReason: 'denied',
        endedAt: at,
        activatedAt: null,
        expiresAt: null,
        account: null,
        revokedBy: null,
      };
    }
    case 'approvalExpired':
      if (r.status !== 'pending_approval') break;
      return {
        ...common,
        decision: { approved: false, by: null, at, comment: 'no decision before the deadline' },
        status: 'ended',
        endReason: 'approval_expired',
        endedAt: at,
        activatedAt: null,
        expiresAt: null,
        account: null,
        revokedBy: null,
      };
    case 'approvePartially':
      if (r.status !== 'pending_approval') break;
      return { ...common, approval: event.approval, status: 'pending_approval', approvalDeadline: r.approvalDeadline };
    case 'start':
      if (r.status !== 'scheduled') break;
      return { ...common, status: 'provisioning' };
    case 'withdraw':
      if (r.status !== 'pending_approval' && r.status !== 'scheduled') break;
      return {
        ...common,
        status: 'ended',
        endReason: 'withdrawn',
        endedAt: at,
        activatedAt: null,
        expiresAt: null,
        account: null,
        revokedBy: event.by,
      };
    case 'recordElevationGrant':
      // Recorded once, before anything is granted: a retried provisioning keeps the first record.
      if (r.status !== 'provisioning') break;
      if (r.elevationGrant !== undefined) return r;
      return {
        ...common,
        status: 'provisioning',
        elevationGrant: { roles: [...event.grant.roles], groups: [...event.grant.groups] },
      };
    case 'provisioned':
      if (r.status !== 'provisioning') break;
      return { ...common, status: 'active', account: event.account, activatedAt: at, expiresAt: event.expiresAt };
    case 'provisionFailed':
      if (r.status !== 'provisioning') break;
      return { ...common, status: 'failed', endedAt: at, failure: event.failure, account: event.account };
    case 'extend':
      if (r.status !== 'active') break;
      return {
        ...common,
        ...(event.extensionId !== undefined ? { lastExtensionId: event.extensionId } : {}),
        status: 'active',
        account: r.account,
        activatedAt: r.activatedAt,
        expiresAt: event.expiresAt,
      };
    case 'startRevocation':
      // Revoking twice is one revocation: the first cause stands.
      if (r.status === 'revoking' || r.status === 'revocation_failed') return r;
      if (r.status !== 'active') break;
      return {
        ...common,
        status: 'revoking',
        account: r.account,
        activatedAt: r.activatedAt,
        expiresAt: r.expiresAt,
        revokeCause: event.cause,
        revokedBy: event.by,
      };
    case 'revocationFailed':
      if (r.status !== 'revoking' && r.status !== 'revocation_failed') break;
      return {
        ...common,
        status: 'revocation_failed',
        account: r.account,
        activatedAt: r.activatedAt,
        expiresAt: r.expiresAt,
        revokeCause: r.revokeCause,
        revokedBy: r.revokedBy,
        failure: event.failure,
      };
    case 'revoked':
      if (r.status !== 'revoking' && r.status !== 'revocation_failed') break;
      return {
        ...common,
        status: 'ended',
        endReason: r.revokeCause,
        endedAt: at,
        account: r.account,
        activatedAt: r.activatedAt,
        // An early revocation (by someone, or by the reconciler) ends the lease now; an expiry keeps the expiry it had.
        expiresAt: r.revokeCause !== 'expired' && r.expiresAt > at ? at : r.expiresAt,
        revokedBy: r.revokedBy,
      };
  }
  throw new ConflictError(`request ${request.id} is ${request.status}: cannot ${describe(event)}`, {
    requestStatus: request.status,
  });
}

function describe(event: LeaseEvent): string {
  switch (event.type) {
    case 'approve':
      return 'approve it';
    case 'deny':
      return 'deny it';
    case 'approvalExpired':
      return 'expire its approval';
    case 'approvePartially':
      return 'record an approval';
    case 'start':
      return 'start it';
    case 'withdraw':
      return 'withdraw it';
    case 'recordElevationGrant':
      return 'record its elevation grant';
    case 'provisioned':
      return 'activate it';
    case 'provisionFailed':
      return 'fail its provisioning';
    case 'extend':
      return 'extend it';
    case 'startRevocation':
      return 'revoke it';
    case 'revocationFailed':
      return 'record a failed revocation';
    case 'revoked':
      return 'end it';
  }
}
