import { randomUUID } from 'node:crypto';
import type { AuditActor, AuditEvent } from '../domain/audit';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';

export interface AuditEntry {
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
    id: randomUUID(),
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
