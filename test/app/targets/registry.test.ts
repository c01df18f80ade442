import { describe, expect, it } from 'vitest';
import { kindOf, kindOfLease, reconcilingKinds, targetKinds } from '../../../src/app/targets';
import type { Caller } from '../../../src/domain/caller';
import { targetKindSchema, targetSchema, type Target } from '../../../src/domain/config';
import type { LeaseRequest } from '../../../src/domain/request';

const HOME = '11111111-1111-4111-8111-111111111111';
const CUSTOMER = '22222222-2222-4222-8222-222222222222';
const now = '2026-12-03T09:00:00.000Z';

function targetOf(kind: Target['kind'], tenantId = HOME, extra: Record<string, unknown> = {}): Target {
  return targetSchema.parse({
    tenantId,
    targetId: `t-${kind.toLowerCase()}`,
    name: kind,
    kind,
    createdAt: now,
    updatedAt: now,
    ...extra,
  });
}

const caller: Caller = {
  objectId: '33333333-3333-4333-8333-333333333333',
  tenantId: HOME,
  userPrincipalName: 'alice@msp.example',
  displayName: undefined,
  groups: [],
  roles: [],
};

function leaseOf(targetKind?: Target['kind']): LeaseRequest {
  return { targetKind } as LeaseRequest;
}

describe('the target kind registry', () => {
  it('has one module for every kind of the domain schema, under its own name', () => {
    expect(Object.keys(targetKinds).sort()).toEqual([...targetKindSchema.options].sort());
    for (const [name, module] of Object.entries(targetKinds)) expect(module.kind).toBe(name);
  });

  it("dispatches a target to its kind's module", () => {
    expect(kindOf(targetOf('adminAccount')).kind).toBe('adminAccount');
    expect(kindOf(targetOf('elevation')).kind).toBe('elevation');
    expect(kindOf(targetOf('elevation')).credentialTypeOf(targetOf('elevation'))).toBe('none');
    const tap = targetOf('adminAccount', HOME, { credentialType: 'temporaryAccessPass' });
    expect(kindOf(tap).credentialTypeOf(tap)).toBe('temporaryAccessPass');
  });

  it('runs a lease under the kind it was submitted with, whatever its target became since', () => {
    expect(kindOfLease(leaseOf('elevation'), targetOf('adminAccount')).kind).toBe('elevation');
    expect(kindOfLease(leaseOf(undefined), targetOf('elevation')).kind).toBe('elevation');
    // Requests stored before kinds existed were all admin-account leases.
    expect(kindOfLease(leaseOf(undefined)).kind).toBe('adminAccount');
  });

  it("checks an ask by the target's kind: elevation only in the requester's own tenant", () => {
    expect(kindOf(targetOf('elevation', HOME)).askProblems(caller, targetOf('elevation', HOME))).toEqual([]);
    expect(kindOf(targetOf('elevation', CUSTOMER)).askProblems(caller, targetOf('elevation', CUSTOMER))).toEqual([
      { field: 'tenantId', message: expect.stringMatching(/must be in the requester's tenant/) as string },
    ]);
    expect(kindOf(targetOf('adminAccount', CUSTOMER)).askProblems(caller, targetOf('adminAccount', CUSTOMER))).toEqual(
      [],
    );
  });

  it('lets only the kinds with something to look after into the reconciler run', () => {
    expect(reconcilingKinds().map((k) => k.kind)).toEqual(['adminAccount']);
  });

  it('checks a group by kind: elevation needs a role-assignable group', () => {
    const group = {
      id: 'g',
      displayName: 'Tier 2',
      isAssignableToRole: false,
      onPremisesSyncEnabled: false,
      isDynamic: false,
      mailEnabled: false,
      isMicrosoft365: false,
      securityEnabled: true,
    };
    expect(targetKinds.elevation.groupProblem(group)).toMatch(/not role-assignable/);
    expect(targetKinds.elevation.groupProblem({ ...group, isAssignableToRole: true })).toBeNull();
    expect(targetKinds.adminAccount.groupProblem(group)).toBeNull();
  });
});
