import { z } from 'zod';
import { durationSchema } from './duration';
import { slugSchema, targetKindSchema } from './config';
import { approvalProgressSchema } from './approvalProgress';

/** The technician asking for access, as their home-tenant token names them. */
export const requesterSchema = z.strictObject({
  objectId: z.uuid(),
  tenantId: z.uuid(),
  userPrincipalName: z.string().min(3).max(113),
  displayName: z.string().max(256).optional(),
  /** Group ids from the token at submission: the entitlement is re-checked with them before provisioning. */
  groups: z.array(z.string()).max(500).default([]),
});
export type Requester = z.infer<typeof requesterSchema>;

export const accountRefSchema = z.strictObject({
  userPrincipalName: z.string(),
  objectId: z.uuid(),
});
export type AccountRef = z.infer<typeof accountRefSchema>;

/**
 * Why a revocation started: the lease expired, someone revoked it, or the reconciler found that the
 * requester left (disabled or deleted in the home tenant: `requester_offboarded`) or is no longer
 * entitled to the target (`entitlement_lost`).
 */
export const revokeCauseSchema = z.enum(['expired', 'revoked', 'requester_offboarded', 'entitlement_lost']);
export type RevokeCause = z.infer<typeof revokeCauseSchema>;

/** `withdrawn`: revoked by the requester or an admin while still waiting for approval. */
export const endReasonSchema = z.enum([
  'expired',
  'revoked',
  'denied',
  'approval_expired',
  'withdrawn',
  'requester_offboarded',
  'entitlement_lost',
]);
export type EndReason = z.infer<typeof endReasonSchema>;

export const credentialTypeSchema = z.enum(['password', 'temporaryAccessPass', 'none']);
export type CredentialType = z.infer<typeof credentialTypeSchema>;

const common = {
  id: z.uuid(),
  tenantId: z.uuid(),
  targetId: slugSchema,
  requester: requesterSchema,
  duration: durationSchema,
  justification: z.string().nullable(),
  ticket: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  approvalRequired: z.boolean(),
  /** Set when the approval step ends: who decided (or null when none was needed). */
  decision: z
    .strictObject({
      approved: z.boolean(),
      by: z.string().nullable(),
      at: z.iso.datetime(),
      comment: z.string().nullable(),
    })
    .nullable(),
  /**
   * Who approved so far and what is still needed (stages copied from the policy at submission).
   * Absent on requests that need no approval, and on rows older than multi-approver policies.
   */
  approval: approvalProgressSchema.optional(),
  /** The tenant's and the target's names at submission, for people to read (absent on older rows: use the ids). */
  tenantName: z.string().optional(),
  targetName: z.string().optional(),
  /** Scheduled access: provisioning begins at this time (ISO 8601 UTC); absent: as soon as approved. */
  startAt: z.iso.datetime().optional(),
  /** What the target was at submission; absent on rows older than elevation targets: adminAccount. */
  targetKind: targetKindSchema.optional(),
  /** How the credential is delivered: a password, a Temporary Access Pass, or none (elevation). */
  credentialType: credentialTypeSchema.optional(),
  /**
   * Elevation only: the directory roles (template ids) and groups this lease grants that the
   * requester did NOT hold before. Recorded before anything is granted; revocation removes these
   * and nothing else.
   */
  elevationGrant: z.strictObject({ roles: z.array(z.string()), groups: z.array(z.string()) }).optional(),
  /** The last extension applied: a retried extension activity with this id changes nothing. */
  lastExtensionId: z.string().optional(),
  /**
   * Why the requester or an admin revoked (or withdrew) it, as they said it (null: no reason given).
   * Recorded when they ask, before the orchestration acts; `revokedBy` names them (UPN).
   */
  revokeReason: z.string().max(1000).nullable().optional(),
  /** Set when a ticketing system asked for the lease. */
  origin: z.strictObject({ integrationId: z.string(), deliveryId: z.string() }).optional(),
};

const leaseTimes = {
  activatedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  account: accountRefSchema,
};

export const leaseRequestSchema = z.discriminatedUnion('status', [
  z.strictObject({ ...common, status: z.literal('pending_approval'), approvalDeadline: z.iso.datetime() }),
  z.strictObject({ ...common, status: z.literal('provisioning') }),
  z.strictObject({ ...common, ...leaseTimes, status: z.literal('active') }),
  z.strictObject({
    ...common,
    ...leaseTimes,
    status: z.literal('revoking'),
    revokeCause: revokeCauseSchema,
    revokedBy: z.string().nullable(),
  }),
  z.strictObject({
    ...common,
    ...leaseTimes,
    status: z.literal('revocation_failed'),
    revokeCause: revokeCauseSchema,
    revokedBy: z.string().nullable(),
    failure: z.string(),
  }),
  z.strictObject({
    ...common,
    status: z.literal('ended'),
    endReason: endReasonSchema,
    endedAt: z.iso.datetime(),
    activatedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    account: accountRefSchema.nullable(),
    revokedBy: z.string().nullable(),
  }),
  z.strictObject({
    ...common,
    status: z.literal('failed'),
    endedAt: z.iso.datetime(),
    failure: z.string(),
    account: accountRefSchema.nullable(),
  }),
  // Last, so the indexes of the older statuses stay as they were.
  /** Approved (or needing no approval) and waiting for `startAt`. */
  z.strictObject({ ...common, status: z.literal('scheduled'), startAt: z.iso.datetime() }),
]);
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;
export type RequestStatus = LeaseRequest['status'];

export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['ended', 'failed']);

export function isTerminal(request: LeaseRequest): boolean {
  return TERMINAL_STATUSES.has(request.status);
}

/**
 * The request with the reason for a revocation someone is asking for now, or null when there is
 * nothing to record: a lease already ending (its first revocation, or its expiry, stands) or one
 * whose reason is already recorded keeps what it has.
 */
export function withRevokeReason(request: LeaseRequest, reason: string | null, at: Date): LeaseRequest | null {
  if (request.revokeReason !== undefined) return null;
  if (
    request.status !== 'pending_approval' &&
    request.status !== 'scheduled' &&
    request.status !== 'provisioning' &&
    request.status !== 'active'
  )
    return null;
  return { ...request, revokeReason: reason, updatedAt: at.toISOString() };
}
