import type { AuditRecord } from '../../domain/auditChain';
import type { Caller } from '../../domain/caller';
import type { Target, Tenant } from '../../domain/config';
import { NotFoundError } from '../../domain/errors';
import type { LeaseRequest } from '../../domain/request';
import { recordAudit, userActor } from '../audit';
import { requireAdmin } from '../authorization';
import type { AppDeps } from '../deps';
import type { AuditFilter, Page, SignInLogRead } from '../ports';
import type { CustomerReport, LeaseSignIns, ReportChange, ReportLease, ReportQuery } from './reportSchemas';

/**
 * A customer report: per tenant and period, every lease (who, what, when, how long, approved by
 * whom, ticket), the JIT account's sign-ins during each lease where the tenant's sign-in log can be
 * read, every configuration change touching the tenant, and the verification of its audit chain.
 */
const PAGE = 500;
const CONFIG_ACTIONS = /^(tenant|target)\./;
const RULE_ACTIONS = ['rule.created', 'rule.updated', 'rule.deleted'] as const;

async function readAll<T>(read: (token: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let token: string | null = null;
  do {
    const page = await read(token);
    items.push(...page.items);
    token = page.continuationToken;
  } while (token !== null);
  return items;
}

function leaseWindow(request: LeaseRequest, now: string): { start: string | null; end: string | null } {
  switch (request.status) {
    case 'active':
    case 'revoking':
    case 'revocation_failed':
      return { start: request.activatedAt, end: request.expiresAt < now ? now : request.expiresAt };
    case 'ended':
      return { start: request.activatedAt, end: request.endedAt };
    case 'failed':
      return { start: null, end: request.endedAt };
    default:
      return { start: null, end: null };
  }
}

/** A request belongs to the period when it was made in it or its lease overlapped it. */
function inPeriod(request: LeaseRequest, query: ReportQuery, now: string): boolean {
  if (request.createdAt >= query.from && request.createdAt <= query.to) return true;
  const { start, end } = leaseWindow(request, now);
  return start !== null && start <= query.to && (end ?? now) >= query.from;
}

function approvalOf(request: LeaseRequest): ReportLease['approval'] {
  if (request.status === 'ended' && request.endReason === 'approval_expired') return 'expired';
  if (!request.approvalRequired) return 'not_required';
  if (request.decision === null) return 'pending';
  return request.decision.approved ? 'approved' : 'denied';
}

function accountOf(request: LeaseRequest): { userPrincipalName: string; objectId: string } | null {
  return 'account' in request ? (request.account ?? null) : null;
}

function rolesOf(target: Target | undefined, request: LeaseRequest): string[] {
  if (target !== undefined)
    return [
      ...target.roles.map((r) => r.displayName ?? `role ${r.templateId}`),
      ...target.groups.map((g) => g.displayName ?? `group ${g.id}`),
    ];
  const grant = request.elevationGrant;
  return grant === undefined ? [] : [...grant.roles.map((r) => `role ${r}`), ...grant.groups.map((g) => `group ${g}`)];
}

function signInsFrom(read: SignInLogRead): LeaseSignIns {
  if (!read.readable) return { readable: false, reason: read.reason, detail: read.detail };
  return {
    readable: true,
    entries: [...read.signIns].sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime)),
  };
}

/** Top-level fields whose JSON differs between an audit record's before and after. */
function changedFields(record: AuditRecord): string[] {
  const parse = (value: unknown): Record<string, unknown> => {
    if (typeof value !== 'string') return {};
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const before = parse(record.details.before);
  const after = parse(record.details.after);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('updatedAt');
  keys.delete('createdAt');
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function changeOf(record: AuditRecord): ReportChange {
  const ruleId = record.details.ruleId;
  const subject =
    typeof ruleId === 'string'
      ? `rule ${ruleId}`
      : record.targetId !== null
        ? `target ${record.targetId}`
        : `tenant ${record.tenantId ?? ''}`;
  return {
    at: record.at,
    actor: record.actor.userPrincipalName ?? `${record.actor.type}:${record.actor.id}`,
    action: record.action,
    subject,
    outcome: record.outcome,
    changedFields: changedFields(record),
  };
}

function mentions(record: AuditRecord, tenantId: string): boolean {
  const { before, after } = record.details;
  return [before, after].some((v) => typeof v === 'string' && v.toLowerCase().includes(tenantId));
}

function chainSummary(chain: {
  intact: boolean;
  records: number;
  firstBroken: { seq: number; reason: string } | null;
}): string {
  if (chain.intact) return `verified: ${chain.records} entries, chain intact`;
  const at = chain.firstBroken;
  return `NOT intact: ${chain.records} entries read; first broken link at record ${at?.seq ?? '?'}: ${at?.reason ?? 'unknown'}`;
}

async function leaseSignIns(
  deps: AppDeps,
  tenant: Tenant,
  leases: readonly { request: LeaseRequest; start: string | null; end: string | null }[],
): Promise<Map<string, LeaseSignIns>> {
  const answers = new Map<string, LeaseSignIns>();
  let tenantWide: LeaseSignIns | undefined;
  let directory: Awaited<ReturnType<AppDeps['directories']['forTenant']>> | undefined;
  for (const { request, start, end } of leases) {
    const account = accountOf(request);
    if (account === null || start === null) {
      answers.set(request.id, {
        readable: false,
        reason: 'no_account',
        detail:
          request.targetKind === 'elevation'
            ? "an elevation lease uses the requester's own home-tenant account: its sign-ins are in the home tenant's log"
            : 'no JIT account was provisioned for this request',
      });
      continue;
    }
    // The licence and the permission are the tenant's: one refusal answers for every lease.
    if (tenantWide !== undefined) {
      answers.set(request.id, tenantWide);
      continue;
    }
    try {
      directory ??= await deps.directories.forTenant(tenant);
      const read = signInsFrom(
        await directory.listSignIns(account.objectId, start, end ?? deps.clock.now().toISOString()),
      );
      if (!read.readable) tenantWide = read;
      answers.set(request.id, read);
    } catch (error) {
      const detail = `the sign-in log could not be read: ${error instanceof Error ? error.message : String(error)}`;
      deps.log('warn', 'report_sign_ins_not_read', { tenantId: tenant.tenantId, requestId: request.id, detail });
      answers.set(request.id, { readable: false, reason: 'not_read', detail });
    }
  }
  return answers;
}

export async function buildCustomerReport(
  deps: AppDeps,
  tenantId: string,
  query: ReportQuery,
): Promise<CustomerReport> {
  const tenant = await deps.config.getTenant(tenantId);
  if (tenant === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  const now = deps.clock.now().toISOString();
  // Verified first: the report's own audit record comes after what it vouches for.
  const chain = await deps.audit.verify({ tenantId });
  const requests = (
    await readAll((token) => deps.requests.list({ tenantId }, { limit: PAGE, continuationToken: token }))
  )
    .filter((r) => inPeriod(r, query, now))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const targets = new Map((await deps.config.listTargets(tenantId)).map((t) => [t.targetId, t]));
  const windows = requests.map((request) => ({ request, ...leaseWindow(request, now) }));
  const signIns = await leaseSignIns(deps, tenant.value, windows);

  const leases: ReportLease[] = windows.map(({ request, start, end }) => {
    const target = targets.get(request.targetId);
    const until = end ?? (start === null ? null : now);
    return {
      requestId: request.id,
      requester: request.requester.userPrincipalName,
      targetId: request.targetId,
      targetName: target?.name ?? null,
      roles: rolesOf(target, request),
      account: accountOf(request)?.userPrincipalName ?? null,
      status: request.status,
      requestedAt: request.createdAt,
      start,
      end,
      durationMinutes:
        start === null || until === null ? null : Math.round((Date.parse(until) - Date.parse(start)) / 60_000),
      approvers: request.decision?.by === null || request.decision === null ? [] : [request.decision.by],
      approval: approvalOf(request),
      ticket: request.ticket,
      justification: request.justification,
      endReason: request.status === 'ended' ? request.endReason : request.status === 'failed' ? 'failed' : null,
      signIns: signIns.get(request.id) ?? { readable: false, reason: 'not_read', detail: 'not read' },
    };
  });

  const period: AuditFilter = { from: query.from, to: query.to };
  const tenantEvents = await readAll((token) =>
    deps.audit.list({ ...period, tenantId }, { limit: PAGE, continuationToken: token }),
  );
  const ruleEvents = (
    await Promise.all(
      RULE_ACTIONS.map((action) =>
        readAll((token) => deps.audit.list({ ...period, action }, { limit: PAGE, continuationToken: token })),
      ),
    )
  )
    .flat()
    .filter((r) => mentions(r, tenantId));
  const configurationChanges = [...tenantEvents.filter((r) => CONFIG_ACTIONS.test(r.action)), ...ruleEvents]
    .sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq)
    .map(changeOf);

  return {
    tenant: { tenantId, displayName: tenant.value.displayName },
    period: { from: query.from, to: query.to },
    generatedAt: now,
    chain: {
      intact: chain.intact,
      records: chain.records,
      headSeq: chain.headSeq,
      headHash: chain.headHash,
      firstBroken: chain.firstBroken,
      summary: chainSummary(chain),
    },
    leases,
    configurationChanges,
  };
}

/** `GET /tenants/{tenantId}/report` (admins): the report, and an audit record of who took it. */
export async function customerReportFor(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  query: ReportQuery,
): Promise<CustomerReport> {
  requireAdmin(caller);
  const report = await buildCustomerReport(deps, tenantId, query);
  await recordAudit(deps, {
    actor: userActor(caller),
    action: 'report.generated',
    tenantId,
    details: { from: query.from, to: query.to, format: query.format, leases: report.leases.length },
  });
  return report;
}
