import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors';
import type { DirectoryUser } from '../../src/app/ports';
import { currentGroupsOf, currentMaxDuration, requesterStanding } from '../../src/app/requesterStanding';
import type { LeaseRequest } from '../../src/domain/request';
import { FAKE_HOME_TENANT_ID, fakeDeps } from '../support/fakes/deps';
import { ruleRow, TECHNICIANS_GROUP_ID, targetRow, tenantRow } from '../support/fakes/fixtures';

/** Where a requester stands at home now: what provisioning, extension and the reconciler re-check. */
const requester: LeaseRequest['requester'] = {
  objectId: '3c1e2d4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  tenantId: FAKE_HOME_TENANT_ID,
  userPrincipalName: 'alice@msp.example',
  groups: ['group-from-the-token'],
};

const userOf = (accountEnabled: boolean): DirectoryUser => ({
  objectId: requester.objectId,
  userPrincipalName: requester.userPrincipalName,
  accountEnabled,
  signInSessionsValidFromDateTime: null,
  lastPasswordChangeDateTime: null,
});

describe('requesterStanding', () => {
  it('without a connected home tenant, the groups the token carried are all there is', async () => {
    const deps = fakeDeps();
    expect(await requesterStanding(deps, requester)).toEqual({ kind: 'fromToken', groups: ['group-from-the-token'] });
    expect(deps.directories.asked).toEqual([]);
  });

  it('with the home tenant connected: the groups it has now, or offboarded when deleted or disabled there', async () => {
    const deps = fakeDeps();
    await deps.config.createTenant(tenantRow({ tenantId: FAKE_HOME_TENANT_ID }));
    let found: { user: DirectoryUser; groupIds: string[] } | null = { user: userOf(true), groupIds: ['now'] };
    deps.directories.set(FAKE_HOME_TENANT_ID, { getUserWithGroups: () => Promise.resolve(found) });

    expect(await requesterStanding(deps, requester)).toEqual({ kind: 'present', groups: ['now'] });
    expect(await currentGroupsOf(deps, requester)).toEqual(['now']);

    found = { user: userOf(false), groupIds: ['now'] };
    expect(await requesterStanding(deps, requester)).toEqual({ kind: 'offboarded', reason: 'disabled' });
    await expect(currentGroupsOf(deps, requester)).rejects.toThrow(/alice@msp.example is disabled in the home tenant/);

    found = null;
    expect(await requesterStanding(deps, requester)).toEqual({ kind: 'offboarded', reason: 'deleted' });
    await expect(currentGroupsOf(deps, requester)).rejects.toThrow(ConflictError);
    await expect(currentGroupsOf(deps, requester)).rejects.toThrow(/no longer in the home tenant/);
  });
});

describe('currentMaxDuration', () => {
  it('is the tightest cap of the rules that entitle these groups now, and null when none does', async () => {
    const deps = fakeDeps();
    const tenant = tenantRow();
    const target = targetRow(); // maxDuration PT4H
    await deps.config.createRule(ruleRow({ maxDuration: 'PT2H' }));
    const request = { requester } as LeaseRequest;
    expect(await currentMaxDuration(deps, request, target, tenant, [TECHNICIANS_GROUP_ID])).toBe('PT2H');
    expect(await currentMaxDuration(deps, request, target, tenant, ['some-other-group'])).toBeNull();
  });
});
