import { describe, expect, it } from 'vitest';
import { targetSchema } from '../../src/domain/config';
import { templateCovers, templateDrift, templateSchema, type Template } from '../../src/domain/template';

const now = '2026-12-03T00:00:00.000Z';
const TENANT = '5f2d8a41-7c3e-4b9a-8e21-3d4c5b6a7f80';
const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

const template: Template = templateSchema.parse({
  templateId: 'helpdesk',
  name: 'Helpdesk',
  kind: 'adminAccount',
  roles: [HELPDESK],
  groups: ['JIT Helpdesk Operators'],
  maxDuration: 'PT4H',
  applyTo: { tenantTag: 'gold' },
  version: 2,
  createdAt: now,
  updatedAt: now,
});

const made = targetSchema.parse({
  kind: 'adminAccount',
  tenantId: TENANT,
  targetId: 'helpdesk',
  name: 'Helpdesk',
  roles: [{ templateId: HELPDESK, displayName: 'Helpdesk Administrator' }],
  groups: [{ id: '4d000000-0000-4000-8000-00c000000e1d', displayName: 'jit helpdesk operators' }],
  maxDuration: 'PT4H',
  template: { templateId: 'helpdesk', version: 1 },
  createdAt: now,
  updatedAt: now,
});

describe('templates', () => {
  it('covers chosen tenants, every tenant, or the tenants carrying its tag', () => {
    expect(templateCovers({ tenants: [TENANT] }, { tenantId: TENANT.toUpperCase() })).toBe(true);
    expect(templateCovers({ allTenants: true }, { tenantId: TENANT })).toBe(true);
    expect(templateCovers({ tenantTag: 'gold' }, { tenantId: TENANT, tags: ['gold'] })).toBe(true);
    expect(templateCovers({ tenantTag: 'gold' }, { tenantId: TENANT })).toBe(false);
  });

  it('finds no drift in a target made from the same content (an older version, group names in any case)', () => {
    expect(templateDrift(template, made)).toEqual([]);
  });

  it('names each field a target differs in', () => {
    const changed = targetSchema.parse({
      ...made,
      maxDuration: 'PT8H',
      approval: { mode: 'required' },
      credentialType: 'temporaryAccessPass',
      roles: [],
      groups: [],
    });
    expect(templateDrift(template, changed)).toEqual(['maxDuration', 'approval', 'credentialType', 'roles', 'groups']);
  });
});
