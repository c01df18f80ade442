import { evaluateEntitlement, type TenantFacts } from '../domain/entitlement';
import { ConflictError } from '../domain/errors';
import type { Target } from '../domain/config';
import type { LeaseRequest } from '../domain/request';
import type { AppDeps } from './deps';

/**
 * Where the requester stands in the home tenant now, rather than in the token they submitted with:
 * provisioning, extension and the reconciler all ask. When the home tenant is not connected, the
 * groups the token carried at submission are all there is.
 */
export type RequesterStanding =
  | { readonly kind: 'fromToken'; readonly groups: readonly string[] }
  | { readonly kind: 'present'; readonly groups: readonly string[] }
  | { readonly kind: 'offboarded'; readonly reason: 'deleted' | 'disabled' };

export async function requesterStanding(
  deps: Pick<AppDeps, 'config' | 'directories'>,
  requester: LeaseRequest['requester'],
): Promise<RequesterStanding> {
  // The home tenant's connection, from the cache: the answer comes from its directory, read now.
  const home = await deps.config.cached.getTenant(requester.tenantId);
  if (home === null) return { kind: 'fromToken', groups: requester.groups };
  const directory = await deps.directories.forTenant(home);
  const found = await directory.getUserWithGroups(requester.objectId);
  if (found === null) return { kind: 'offboarded', reason: 'deleted' };
  if (!found.user.accountEnabled) return { kind: 'offboarded', reason: 'disabled' };
  return { kind: 'present', groups: found.groupIds };
}

/** The requester's current groups; a ConflictError naming why when they are gone or disabled at home. */
export async function currentGroupsOf(
  deps: Pick<AppDeps, 'config' | 'directories'>,
  requester: LeaseRequest['requester'],
): Promise<readonly string[]> {
  const standing = await requesterStanding(deps, requester);
  if (standing.kind === 'offboarded') {
    throw new ConflictError(
      `the requester ${requester.userPrincipalName} is ${standing.reason === 'deleted' ? 'no longer in' : 'disabled in'} the home tenant`,
    );
  }
  return standing.groups;
}

/** The policy's maximum total lease for the requester with these groups, or null when no rule entitles them now. */
export async function currentMaxDuration(
  deps: Pick<AppDeps, 'config'>,
  request: LeaseRequest,
  target: Target,
  tenant: TenantFacts,
  groups: readonly string[],
): Promise<string | null> {
  const entitlement = evaluateEntitlement(
    { objectId: request.requester.objectId, groups },
    target,
    tenant,
    await deps.config.listRules(),
  );
  return entitlement.allowed ? entitlement.effectiveMaxDuration : null;
}
