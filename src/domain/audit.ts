import { z } from 'zod';

/** One audit record: who did what to which lease or configuration, and how it ended. */
export const auditActorSchema = z.strictObject({
  type: z.enum(['user', 'system', 'integration']),
  id: z.string(),
  userPrincipalName: z.string().optional(),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditEventSchema = z.strictObject({
  id: z.string(),
  at: z.iso.datetime(),
  actor: auditActorSchema,
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  requestId: z.string().nullable(),
  tenantId: z.string().nullable(),
  targetId: z.string().nullable(),
  ticket: z.string().nullable(),
  /** Object id of the lease's requester, when the event is about a lease. */
  requesterId: z.string().nullable().optional(),
  /** Non-secret facts only; values are redacted before they get here. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: 'entra-jit' };
