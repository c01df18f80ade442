import type { Caller } from '../domain/caller';
import { UnauthenticatedError } from '../domain/errors';
import type { AppDeps } from './deps';

/**
 * A caller whose token carried a groups overage instead of `groups` (Entra puts at most 200 groups
 * in a JWT): their groups, nested ones included, are read from the home tenant through Graph when
 * it is connected, in one round trip. Otherwise the caller stays marked, and entitlement answers
 * say why group rules could not apply.
 */
export async function withOverageGroups(
  deps: Pick<AppDeps, 'config' | 'directories' | 'workflow'>,
  caller: Caller,
): Promise<Caller> {
  if (caller.groupsOverage !== true) return caller;
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null) return caller;
  const directory = await deps.directories.forTenant(home.value);
  const found = await directory.getUserWithGroups(caller.objectId);
  if (found === null) throw new UnauthenticatedError('the token’s user no longer exists in the home tenant');
  if (!found.user.accountEnabled) throw new UnauthenticatedError('the token’s user is disabled in the home tenant');
  const { groupsOverage: _overage, ...rest } = caller;
  return { ...rest, groups: found.groupIds };
}
