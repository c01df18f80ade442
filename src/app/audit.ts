import { createHash, randomUUID } from 'node:crypto';
import type { AuditActor, AuditEvent } from '../domain/audit';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';

export interface AuditEntry {
  /**
   * A fixed id for a step that may run again (an activity retried after a crash): the log keeps
   * one record per id, so the retry can write it again without fear. Random when not given.
   */
  readonly id?: string;
  readonly actor: AuditActor;
  readonly action: string;
  readonly outcome?: AuditEvent['outcome'];
  readonly request?: LeaseRequest;
  readonly tenantId?: string;
  readonly targetId?: string;
  readonly details?: AuditEvent['details'];
}

/** Appends an audit record; the request, when given, supplies its ids and ticket. */
export async function recordAudit(deps: Pick<AppDeps, 'audit' | 'clock'>, entry: AuditEntry): Promise<void> {
  await deps.audit.append({
    id: entry.id ?? randomUUID(),
    at: deps.clock.now().toISOString(),
    actor: entry.actor,
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    requestId: entry.request?.id ?? null,
    tenantId: entry.request?.tenantId ?? entry.tenantId ?? null,
    targetId: entry.request?.targetId ?? entry.targetId ?? null,
    ticket: entry.request?.ticket ?? null,
    ...(entry.request !== undefined ? { requesterId: entry.request.requester.objectId } : {}),
    details: entry.details ?? {},
  });
}

export function userActor(caller: { objectId: string; userPrincipalName: string }): AuditActor {
  return { type: 'user', id: caller.objectId, userPrincipalName: caller.userPrincipalName };
}

/** The one audit id of a lease step (`step` tells apart steps that may repeat, e.g. an attempt number). */
export function leaseStepAuditId(requestId: string, action: string, step = ''): string {
  const hex = createHash('sha256').update(`${requestId}|${action}|${step}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
