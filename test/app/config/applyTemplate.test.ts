import { describe, expect, it } from 'vitest';
import { applyTemplate } from '../../../src/app/config/applyTemplate';
import { createTemplate } from '../../../src/app/config/templates';
import type { DirectoryGroup } from '../../../src/app/ports';
import { fakeDeps } from '../../support/fakes/deps';
import { admin, CUSTOMER_TENANT_ID, tenantRow } from '../../support/fakes/fixtures';

const HELPDESK = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

function group(id: string, displayName: string): DirectoryGroup {
  return {
    id,
    displayName,
    isAssignableToRole: false,
    securityEnabled: true,
    mailEnabled: false,
    isDynamic: false,
    isMicrosoft365: false,
    onPremisesSyncEnabled: false,
  };
}

describe('applyTemplate', () => {
  it('fails a tenant where two groups carry the name, naming both, and writes no target there', async () => {
    const deps = fakeDeps();
    const carol = admin('carol');
    await deps.config.createTenant(tenantRow());
    deps.directories.set(CUSTOMER_TENANT_ID, {
      findGroupsByDisplayName: (name) =>
        Promise.resolve([
          group('11111111-0000-4000-8000-000000000001', name),
          group('11111111-0000-4000-8000-000000000002', name.toUpperCase()),
        ]),
      listRoleDefinitions: () =>
        Promise.resolve([
          {
            templateId: HELPDESK,
            displayName: 'Helpdesk Administrator',
            description: null,
            isBuiltIn: true,
            isEnabled: true,
          },
        ]),
    });
    await createTemplate(deps, carol, {
      templateId: 'helpdesk',
      name: 'Helpdesk',
      kind: 'adminAccount',
      roles: [HELPDESK],
      groups: ['Helpdesk Operators'],
      defaultDuration: 'PT1H',
      minDuration: 'PT15M',
      maxDuration: 'PT4H',
      approval: { mode: 'none' },
      requireJustification: false,
      requireTicket: false,
      applyTo: { allTenants: true },
      applyToNewTenants: false,
    });
    const applied = await applyTemplate(deps, carol, 'helpdesk', {});
    expect(applied.results).toEqual([
      {
        tenantId: CUSTOMER_TENANT_ID,
        outcome: 'failed',
        detail:
          "2 groups are named 'Helpdesk Operators' (11111111-0000-4000-8000-000000000001, 11111111-0000-4000-8000-000000000002): rename all but one, or name another group",
      },
    ]);
    expect(await deps.config.getTarget(CUSTOMER_TENANT_ID, 'helpdesk')).toBeNull();
    expect((await deps.templates.listApplications('helpdesk')).map((a) => a.outcome)).toEqual(['failed']);
  });
});
