import { z } from 'zod';
import type { ChainVerification } from '../domain/auditChain';
import type { Caller } from '../domain/caller';
import type { AuditRecord } from '../domain/auditChain';
import type { AppDeps } from './deps';
import type { Page } from './ports';
import { requireAdmin } from './authorization';

export const auditQuerySchema = z.strictObject({
  tenantId: z.uuid().optional(),
  requestId: z.uuid().optional(),
  /** Object id of the lease's requester. */
  requester: z.uuid().optional(),
  /** Object id (or integration id) of whoever acted. */
  actor: z.string().min(1).max(100).optional(),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, 'an action such as lease.provisioned')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  continuationToken: z.string().min(1).max(4000).optional(),
});

export const auditVerifyQuerySchema = z
  .strictObject({
    tenantId: z.uuid().optional(),
    anchorSeq: z.coerce.number().int().min(1).optional(),
    anchorHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash in lower-case hex (64 characters)')
      .optional(),
  })
  .refine((q) => (q.anchorSeq === undefined) === (q.anchorHash === undefined), {
    message: 'give anchorSeq and anchorHash together',
    path: ['anchorHash'],
  });

export async function queryAudit(
  deps: AppDeps,
  caller: Caller,
  query: z.infer<typeof auditQuerySchema>,
): Promise<Page<AuditRecord>> {
  requireAdmin(caller);
  return deps.audit.list(
    {
      ...(query.tenantId !== undefined ? { tenantId: query.tenantId } : {}),
      ...(query.requestId !== undefined ? { requestId: query.requestId } : {}),
      ...(query.requester !== undefined ? { requesterId: query.requester } : {}),
      ...(query.actor !== undefined ? { actorId: query.actor } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
      ...(query.from !== undefined ? { from: query.from } : {}),
      ...(query.to !== undefined ? { to: query.to } : {}),
    },
    { limit: query.limit, continuationToken: query.continuationToken ?? null },
  );
}

export async function verifyAudit(
  deps: AppDeps,
  caller: Caller,
  query: z.infer<typeof auditVerifyQuerySchema>,
): Promise<ChainVerification & { readonly partition: string }> {
  requireAdmin(caller);
  const anchor =
    query.anchorSeq !== undefined && query.anchorHash !== undefined
      ? { seq: query.anchorSeq, hash: query.anchorHash }
      : undefined;
  const result = await deps.audit.verify(query.tenantId !== undefined ? { tenantId: query.tenantId } : {}, anchor);
  return { partition: query.tenantId === undefined ? 'all' : `tenant ${query.tenantId}`, ...result };
}
