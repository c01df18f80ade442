import { describe, expect, it } from 'vitest';
import { ruleSchema, targetSchema, type Rule } from '../../src/domain/config';
import { defaultWithinCap, evaluateEntitlement } from '../../src/domain/entitlement';

const now = '2026-11-23T10:00:00.000Z';
const tenantId = '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01';
const alice = { objectId: '1a000000-0000-4000-8000-00000000a11c', groups: ['2b000000-0000-4000-8000-0000000a1173'] };
const tenant = { tenantId, tags: ['gold'] };
const target = targetSchema.parse({
  tenantId,
  targetId: 'helpdesk-admin',
  name: 'Helpdesk',
  kind: 'adminAccount',
  maxDuration: 'PT8H',
  createdAt: now,
  updatedAt: now,
});

function rule(partial: Partial<Rule> & Pick<Rule, 'ruleId' | 'principal'>): Rule {
  return ruleSchema.parse({
    scope: { targets: [{ tenantId, targetId: 'helpdesk-admin' }] },
    createdAt: now,
    updatedAt: now,
    ...partial,
  });
}

describe('evaluateEntitlement', () => {
  it('refuses when no rule matches, saying so', () => {
    const result = evaluateEntitlement(alice, target, tenant, [
      rule({ ruleId: 'other', principal: { type: 'user', id: '1a000000-0000-4000-8000-000000000b0b' } }),
    ]);
    expect(result.allowed).toBe(false);
    expect(result.reasons[0]).toMatch(/no entitlement rule/);
  });

  it('grants through a group rule and a user rule', () => {
    expect(
      evaluateEntitlement(alice, target, tenant, [
        rule({ ruleId: 'g', principal: { type: 'group', id: alice.groups[0] ?? '' } }),
      ]),
    ).toMatchObject({ allowed: true, matchedRules: ['g'], effectiveMaxDuration: 'PT8H' });
    expect(
      evaluateEntitlement(alice, target, tenant, [
        rule({ ruleId: 'u', principal: { type: 'user', id: alice.objectId } }),
      ]).allowed,
    ).toBe(true);
  });

  it('grants tenant-wide rules and ignores other tenants', () => {
    const tenantRule = rule({
      ruleId: 't',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenants: [tenantId] },
    });
    expect(evaluateEntitlement(alice, target, tenant, [tenantRule]).allowed).toBe(true);
    const otherTenant = rule({
      ruleId: 'o',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenants: ['8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02'] },
    });
    expect(evaluateEntitlement(alice, target, tenant, [otherTenant]).allowed).toBe(false);
  });

  it('an all-tenants rule reaches every target of every tenant', () => {
    const all = rule({
      ruleId: 'all',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      scope: { allTenants: true },
    });
    expect(evaluateEntitlement(alice, target, tenant, [all])).toMatchObject({ allowed: true, matchedRules: ['all'] });
    const otherTenantId = '8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02';
    const elsewhere = targetSchema.parse({ ...target, tenantId: otherTenantId, targetId: 'global-reader' });
    expect(evaluateEntitlement(alice, elsewhere, { tenantId: otherTenantId }, [all]).allowed).toBe(true);
    // The principal still has to match.
    expect(
      evaluateEntitlement(alice, target, tenant, [
        rule({ ...all, principal: { type: 'user', id: '1a000000-0000-4000-8000-000000000b0b' } }),
      ]).allowed,
    ).toBe(false);
  });

  it('a tag rule reaches only tenants carrying the tag', () => {
    const gold = rule({
      ruleId: 'gold',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenantTag: 'gold' },
    });
    expect(evaluateEntitlement(alice, target, tenant, [gold]).allowed).toBe(true);
    expect(evaluateEntitlement(alice, target, { tenantId, tags: ['silver'] }, [gold]).allowed).toBe(false);
    expect(evaluateEntitlement(alice, target, { tenantId, tags: [] }, [gold]).allowed).toBe(false);
    // A tenant stored before tags existed is untagged.
    expect(evaluateEntitlement(alice, target, { tenantId }, [gold]).allowed).toBe(false);
  });

  it("refuses to judge a target against another tenant's tags", () => {
    const gold = rule({
      ruleId: 'gold',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenantTag: 'gold' },
    });
    expect(() =>
      evaluateEntitlement(alice, target, { tenantId: '8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02', tags: ['gold'] }, [gold]),
    ).toThrow(/is not the tenant of target/);
  });

  it('a rule can tighten the cap but never loosen it; the loosest matching rule wins', () => {
    const tight = rule({ ruleId: 'tight', principal: { type: 'user', id: alice.objectId }, maxDuration: 'PT1H' });
    const loose = rule({
      ruleId: 'loose',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      maxDuration: 'P1D',
    });
    expect(evaluateEntitlement(alice, target, tenant, [tight]).effectiveMaxDuration).toBe('PT1H');
    expect(evaluateEntitlement(alice, target, tenant, [tight, loose]).effectiveMaxDuration).toBe('PT8H');
  });

  it('approval: the target decides unless a rule overrides it', () => {
    const approvalTarget = targetSchema.parse({ ...target, approval: { mode: 'required' } });
    const plain = rule({ ruleId: 'p', principal: { type: 'user', id: alice.objectId } });
    expect(evaluateEntitlement(alice, approvalTarget, tenant, [plain]).approvalRequired).toBe(true);
    expect(
      evaluateEntitlement(alice, approvalTarget, tenant, [rule({ ...plain, ruleId: 'w', approvalRequired: false })])
        .approvalRequired,
    ).toBe(false);
    expect(
      evaluateEntitlement(alice, target, tenant, [rule({ ...plain, ruleId: 'f', approvalRequired: true })])
        .approvalRequired,
    ).toBe(true);
  });

  describe('approval when rules disagree: forcing wins, and only a rule naming the target waives it', () => {
    const approvalTarget = targetSchema.parse({ ...target, approval: { mode: 'required' } });
    const waiveTarget = rule({
      ruleId: 'waive-target',
      principal: { type: 'user', id: alice.objectId },
      approvalRequired: false,
    });
    const waiveTenant = rule({
      ruleId: 'waive-tenant',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenants: [tenantId] },
      approvalRequired: false,
    });
    const forceGroup = rule({
      ruleId: 'force-group',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      approvalRequired: true,
    });
    const forceTenant = rule({
      ruleId: 'force-tenant',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      scope: { tenants: [tenantId] },
      approvalRequired: true,
    });
    const plain = rule({ ruleId: 'plain', principal: { type: 'group', id: alice.groups[0] ?? '' } });
    const forceAll = rule({
      ruleId: 'force-all',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      scope: { allTenants: true },
      approvalRequired: true,
    });
    const waiveAll = rule({
      ruleId: 'waive-all',
      principal: { type: 'user', id: alice.objectId },
      scope: { allTenants: true },
      approvalRequired: false,
    });
    const forceTag = rule({
      ruleId: 'force-tag',
      principal: { type: 'group', id: alice.groups[0] ?? '' },
      scope: { tenantTag: 'gold' },
      approvalRequired: true,
    });
    const waiveTag = rule({
      ruleId: 'waive-tag',
      principal: { type: 'user', id: alice.objectId },
      scope: { tenantTag: 'gold' },
      approvalRequired: false,
    });

    it.each([
      ['a waiver does not cancel another rule forcing approval', target, [waiveTarget, forceGroup], true],
      ['rule order does not matter', target, [forceGroup, waiveTarget], true],
      [
        'a tenant-wide rule forcing approval beats a waiver naming the target',
        approvalTarget,
        [waiveTarget, forceTenant],
        true,
      ],
      ['a tenant-wide waiver cannot switch off the approval the target requires', approvalTarget, [waiveTenant], true],
      [
        'a tenant-wide waiver next to a plain rule still leaves the target requiring approval',
        approvalTarget,
        [waiveTenant, plain],
        true,
      ],
      ['a waiver naming the target lifts the target policy', approvalTarget, [waiveTarget, plain], false],
      [
        'a waiver naming the target next to a tenant-wide waiver lifts it',
        approvalTarget,
        [waiveTarget, waiveTenant],
        false,
      ],
      ['a tenant-wide waiver on a target without approval changes nothing', target, [waiveTenant], false],
      [
        'an all-tenants rule forcing approval beats a waiver naming the target',
        approvalTarget,
        [waiveTarget, forceAll],
        true,
      ],
      ['an all-tenants waiver cannot switch off the approval the target requires', approvalTarget, [waiveAll], true],
      ['a tag rule forcing approval beats a waiver naming the target', target, [waiveTarget, forceTag], true],
      ['a tag waiver cannot switch off the approval the target requires', approvalTarget, [waiveTag, plain], true],
      [
        'a waiver naming the target lifts it next to all-tenants and tag waivers',
        approvalTarget,
        [waiveAll, waiveTag, waiveTarget],
        false,
      ],
    ] as const)('%s', (_name, t, rules, expected) => {
      const result = evaluateEntitlement(alice, t, tenant, rules);
      expect(result.allowed).toBe(true);
      expect(result.approvalRequired).toBe(expected);
    });
  });

  it('a request without a duration gets the target default, lowered to a tighter cap', () => {
    expect(defaultWithinCap({ defaultDuration: 'PT4H' }, 'PT8H')).toBe('PT4H');
    expect(defaultWithinCap({ defaultDuration: 'PT4H' }, 'PT1H')).toBe('PT1H');
  });

  it('matches object ids without regard to case', () => {
    const upper = rule({ ruleId: 'g-upper', principal: { type: 'group', id: (alice.groups[0] ?? '').toUpperCase() } });
    expect(evaluateEntitlement(alice, target, tenant, [upper]).allowed).toBe(true);
  });
});
