import { NotFoundError } from '../../domain/errors';
import { generatePassword } from '../../domain/password';
import type { AccountRef } from '../../domain/request';
import type { Directory } from '../ports';

/**
 * The one end state of a JIT account without a lease, whether a revocation or the reconciler
 * (drift: an account re-enabled in the customer tenant) brings it there: disabled, sign-in sessions
 * revoked, no role or group, a password nobody knows, and for a Temporary Access Pass lease no pass.
 */
export interface AccountEndStateOptions {
  /** Also delete the account's Temporary Access Passes (a TAP lease; needs the TAP permission). */
  readonly temporaryAccessPasses: boolean;
  /**
   * This revocation disabled the account in an earlier call whose cleanup then waited for Graph's
   * write window: the disable is not written again (the read-back still checks it shows).
   */
  readonly disabledAlready?: boolean;
}

/**
 * The account's directory at the two priorities of a revocation under Graph's write limit: the
 * disable (containment) goes before every other lease's cleanup and always waits its turn; the
 * cleanup may be refused with a WriteLimitReachedError when the window is used up, the account
 * being disabled already (src/adapters/graph/writeBudget.ts).
 */
export interface RevocationDirectories {
  readonly containment: Pick<Directory, 'disableAccount'>;
  readonly cleanup: Pick<Directory, 'stripAccess' | 'deleteTemporaryAccessPasses'>;
}

/**
 * Brings the account to the end state. A user deleted from the directory is there already. A
 * WriteLimitReachedError thrown from here comes from the cleanup: the account is disabled by then.
 */
export async function takeAccountAccessAway(
  directories: RevocationDirectories,
  objectId: string,
  options: AccountEndStateOptions,
): Promise<void> {
  try {
    if (options.disabledAlready !== true) await directories.containment.disableAccount(objectId);
  } catch (error) {
    // Deleted from the directory: nothing can sign in with it, so nothing is left to take away.
    if (error instanceof NotFoundError) return;
    throw error;
  }
  // Disabled first, on its own: whatever follows, nobody signs in with it any more. Then, together,
  // sessions revoked, a random password nobody stores (whatever was revealed is now useless), and
  // every role and group taken away.
  await directories.cleanup.stripAccess(objectId, generatePassword());
  if (options.temporaryAccessPasses) await directories.cleanup.deleteTemporaryAccessPasses(objectId);
}

/** What of the end state the directory does not show yet, read back; empty when all of it shows. */
export async function accountEndStateGaps(
  directory: Pick<Directory, 'readAccess' | 'countTemporaryAccessPasses'>,
  account: AccountRef,
  startedAt: Date,
  options: AccountEndStateOptions,
): Promise<string[]> {
  const state = await directory.readAccess(account.objectId);
  if (state === null) return [];
  const user = state.user;
  const gaps: string[] = [];
  if (user.accountEnabled) gaps.push('the account is still enabled');
  // Entra stores these timestamps at second precision; allow for that.
  const sessionsFrom = user.signInSessionsValidFromDateTime ? Date.parse(user.signInSessionsValidFromDateTime) : 0;
  if (sessionsFrom < startedAt.getTime() - 1000) gaps.push('sign-in sessions were not revoked');
  const passwordChanged = user.lastPasswordChangeDateTime ? Date.parse(user.lastPasswordChangeDateTime) : 0;
  if (passwordChanged < startedAt.getTime() - 1000) gaps.push('the password was not rotated');
  if (state.roleAssignments.length > 0) gaps.push(`${state.roleAssignments.length} role assignment(s) remain`);
  if (state.groupIds.length > 0) gaps.push(`${state.groupIds.length} group membership(s) remain`);
  if (options.temporaryAccessPasses && (await directory.countTemporaryAccessPasses(account.objectId)) > 0)
    gaps.push('a temporary access pass remains');
  return gaps;
}

/** Takes the access away, then reads it back; throws (so the caller retries) unless all of it shows. */
export async function endAccountAccess(
  directories: RevocationDirectories & { readonly cleanup: Directory },
  account: AccountRef,
  startedAt: Date,
  options: AccountEndStateOptions,
): Promise<void> {
  await takeAccountAccessAway(directories, account.objectId, options);
  const gaps = await accountEndStateGaps(directories.cleanup, account, startedAt, options);
  if (gaps.length > 0)
    throw new Error(`revocation of ${account.userPrincipalName} not yet visible in the directory: ${gaps.join('; ')}`);
}
