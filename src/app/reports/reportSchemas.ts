import { z } from 'zod';

/**
 * A customer report's contract: the query (`GET /tenants/{tenantId}/report`) and the report as
 * JSON; the CSV and the printable page are renderings of the same object (reportCsv.ts, reportHtml.ts).
 */
export const MAX_REPORT_PERIOD_DAYS = 366;

/** A day (`2026-11-01`: that whole day, UTC) or a time with offset. */
const reportTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** The parameters as a caller sends them (what the OpenAPI document lists). */
export const reportQueryFieldsSchema = z.strictObject({
  from: reportTime,
  to: reportTime,
  format: z.enum(['json', 'csv', 'html']).default('json'),
});

export const reportQuerySchema = reportQueryFieldsSchema
  .transform((q) => ({
    format: q.format,
    from: /T/.test(q.from) ? new Date(q.from).toISOString() : `${q.from}T00:00:00.000Z`,
    to: /T/.test(q.to) ? new Date(q.to).toISOString() : `${q.to}T23:59:59.999Z`,
  }))
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_REPORT_PERIOD_DAYS * 86_400_000, {
    message: `the period may be at most ${MAX_REPORT_PERIOD_DAYS} days`,
    path: ['to'],
  });
export type ReportQuery = z.output<typeof reportQuerySchema>;

export const reportSignInSchema = z.strictObject({
  createdDateTime: z.string(),
  userPrincipalName: z.string(),
  appDisplayName: z.string().nullable(),
  ipAddress: z.string().nullable(),
  errorCode: z.number().int().describe('0: signed in; otherwise the AADSTS error code'),
  failureReason: z.string().nullable(),
  conditionalAccessStatus: z.string().nullable(),
  location: z.string().nullable(),
});

export const leaseSignInsSchema = z.discriminatedUnion('readable', [
  z.strictObject({ readable: z.literal(true), entries: z.array(reportSignInSchema) }),
  z.strictObject({
    readable: z.literal(false),
    reason: z
      .enum(['no_premium_licence', 'no_permission', 'no_account', 'not_read'])
      .describe(
        'no_premium_licence: the tenant has no Entra ID P1/P2; no_permission: the app lacks AuditLog.Read.All; no_account: the lease had no JIT account (elevation, or never provisioned); not_read: reading failed',
      ),
    detail: z.string(),
  }),
]);
export type LeaseSignIns = z.infer<typeof leaseSignInsSchema>;

export const reportLeaseSchema = z.strictObject({
  requestId: z.string(),
  requester: z.string().describe("The requester's user principal name in the home tenant"),
  targetId: z.string(),
  targetName: z.string().nullable().describe('null when the target has been deleted since'),
  roles: z.array(z.string()).describe('Directory roles and groups the target grants, by name where known'),
  account: z.string().nullable().describe('The JIT account used (adminAccount targets)'),
  status: z.string(),
  requestedAt: z.string(),
  start: z.string().nullable(),
  end: z.string().nullable().describe('When it ended, or (still active) when it expires'),
  durationMinutes: z.number().int().nullable().describe('From start to end (or to now while active)'),
  approvers: z.array(z.string()).describe('Who approved or denied; empty when no approval was needed'),
  approval: z.enum(['not_required', 'approved', 'denied', 'pending', 'expired']),
  ticket: z.string().nullable(),
  justification: z.string().nullable(),
  endReason: z.string().nullable(),
  signIns: leaseSignInsSchema,
});
export type ReportLease = z.infer<typeof reportLeaseSchema>;

export const reportChangeSchema = z.strictObject({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string().describe('The tenant, target or rule changed'),
  outcome: z.string(),
  changedFields: z.array(z.string()).describe('Top-level fields whose value differs between before and after'),
});
export type ReportChange = z.infer<typeof reportChangeSchema>;

export const reportChainSchema = z.strictObject({
  intact: z.boolean(),
  records: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string().nullable(),
  firstBroken: z.strictObject({ seq: z.number().int(), eventId: z.string().nullable(), reason: z.string() }).nullable(),
  summary: z.string().describe('"verified: N entries, chain intact" or where it breaks'),
});

export const customerReportSchema = z.strictObject({
  tenant: z.strictObject({ tenantId: z.string(), displayName: z.string() }),
  period: z.strictObject({ from: z.string(), to: z.string() }),
  generatedAt: z.string(),
  chain: reportChainSchema.describe("Verification of this tenant's audit hash chain, at generation time"),
  leases: z.array(reportLeaseSchema).describe('Every request made or lease active in the period, oldest first'),
  configurationChanges: z
    .array(reportChangeSchema)
    .describe('Changes to the tenant, its targets and rules naming it, in the period, oldest first'),
});
export type CustomerReport = z.infer<typeof customerReportSchema>;
