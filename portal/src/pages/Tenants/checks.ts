import type { VerificationCheck } from '../../hooks/useTenants';

export type CheckName = VerificationCheck['name'];

/** The verification's checks, in the order the service runs them, in words. */
export const CHECK_LABELS: Readonly<Record<CheckName, string>> = {
  signIn: 'The service signs in to the tenant',
  permissions: 'Microsoft Graph permissions are granted',
  jitDomain: 'The JIT domain is managed and verified',
  readRoleDefinitions: 'Directory role definitions can be read',
  readUsers: 'Users can be read',
  readMemberships: 'Group memberships can be read',
  passwordResetRole: 'The app may reset admins’ passwords',
  temporaryAccessPassPolicy: 'The Temporary Access Pass policy allows passes',
  readAuthenticationMethods: 'Authentication methods can be read',
};

export const CHECK_NAMES = Object.keys(CHECK_LABELS) as CheckName[];

/** One line of the checklist: passed, failed (with what was found and the fix) or not verified yet. */
export interface ChecklistItem {
  readonly name: CheckName;
  readonly state: 'passed' | 'failed' | 'unverified';
  readonly detail?: string;
  /** The fix in the portal's words when the API gave one, else the API's. */
  readonly fix?: string | null;
  /** Not run: waits for this failing check. */
  readonly blockedBy?: CheckName;
}

function failed(c: VerificationCheck): ChecklistItem {
  return {
    name: c.name,
    state: 'failed',
    detail: c.detail,
    fix: c.portalFix ?? c.fix,
    ...(c.blockedBy !== undefined ? { blockedBy: c.blockedBy } : {}),
  };
}

/**
 * The full checklist from what is known: a verification made here has every check; otherwise the
 * kept readiness lists only the failing ones, so the others passed (unless never verified).
 */
export function checklist(
  known: { readonly status: 'ready' | 'notReady' | 'unverified'; readonly failing: readonly VerificationCheck[] },
  fresh: readonly VerificationCheck[] | undefined,
): ChecklistItem[] {
  if (fresh) return fresh.map((c) => (c.ok ? { name: c.name, state: 'passed' } : failed(c)));
  if (known.status === 'unverified') return CHECK_NAMES.map((name) => ({ name, state: 'unverified' }));
  return CHECK_NAMES.map((name) => {
    const failing = known.failing.find((c) => c.name === name);
    return failing ? failed(failing) : { name, state: 'passed' };
  });
}
