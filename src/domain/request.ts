import { z } from 'zod';
import { durationSchema } from './duration';
import { slugSchema } from './config';

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

export const endReasonSchema = z.enum(['expired', 'revoked', 'denied', 'approval_expired']);
export type EndReason = z.infer<typeof endReasonSchema>;

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
    .strictObject({ approved: z.boolean(), by: z.string().nullable(), at: z.iso.datetime(), comment: z.string().nullable() })
    .nullable(),
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
  z.strictObject({ ...common, ...leaseTimes, status: z.literal('revoking'), revokeCause: z.enum(['expired', 'revoked']), revokedBy: z.string().nullable() }),
  z.strictObject({
    ...common,
    ...leaseTimes,
    status: z.literal('revocation_failed'),
    revokeCause: z.enum(['expired', 'revoked']),
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
  z.strictObject({ ...common, status: z.literal('failed'), endedAt: z.iso.datetime(), failure: z.string(), account: accountRefSchema.nullable() }),
]);
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;
export type RequestStatus = LeaseRequest['status'];

export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['ended', 'failed']);

export function isTerminal(request: LeaseRequest): boolean {
  return TERMINAL_STATUSES.has(request.status);
}
