import type { Caller } from '../../domain/caller';
import { ConflictError, PreconditionFailedError } from '../../domain/errors';
import { recordAudit, userActor } from '../audit';
import type { AppDeps } from '../deps';
import { ConcurrencyError, type Versioned } from '../ports';

export { requireAdmin } from '../authorization';

/**
 * Optimistic concurrency for admins editing at once: `If-Match` names the ETag the admin read.
 * Absent: the change applies to what was just read (still atomic against a concurrent writer).
 * `*`: any version.
 */
export interface Precondition {
  readonly ifMatch: string | null;
}

export function checkPrecondition<T>(stored: Versioned<T>, precondition: Precondition, what: string): string {
  const { ifMatch } = precondition;
  if (ifMatch === null || ifMatch === '*') return stored.etag;
  if (ifMatch !== stored.etag) {
    throw new PreconditionFailedError(
      `${what} changed since you read it (If-Match ${ifMatch} is not the current ETag); read it again and reapply your change`,
      {
        currentETag: stored.etag,
      },
    );
  }
  return stored.etag;
}

/** Turns a lost race on write into 412 (the admin sent If-Match) or 409 (they did not). */
export async function conditionally<T>(precondition: Precondition, what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    if (precondition.ifMatch !== null && precondition.ifMatch !== '*')
      throw new PreconditionFailedError(`${what} changed since you read it; read it again and reapply your change`);
    throw new ConflictError(`${what} was changed by someone else at the same moment; read it again and retry`);
  }
}

/** Every configuration change goes to the audit log: who, what, before and after (never a secret). */
export async function auditChange(
  deps: Pick<AppDeps, 'audit' | 'clock'>,
  caller: Caller,
  change: {
    action: string;
    tenantId?: string;
    targetId?: string;
    before: unknown;
    after: unknown;
    details?: Readonly<Record<string, string | number | boolean | null>>;
  },
): Promise<void> {
  await recordAudit(deps, {
    actor: userActor(caller),
    action: change.action,
    ...(change.tenantId !== undefined ? { tenantId: change.tenantId } : {}),
    ...(change.targetId !== undefined ? { targetId: change.targetId } : {}),
    details: {
      before: change.before === null || change.before === undefined ? null : JSON.stringify(change.before),
      after: change.after === null || change.after === undefined ? null : JSON.stringify(change.after),
      ...(change.details ?? {}),
    },
  });
}
