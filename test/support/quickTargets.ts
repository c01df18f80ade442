import { CONTOSO, FABRIKAM, HOME_GROUPS, ROLE_TEMPLATES, seedAppOf, type SeedTenant } from '../../local/sandbox/seed';
import type { AppDeps } from '../../src/app/deps';

/**
 * Test configuration written straight to the stores: both customer tenants connected, each with a
 * target that accepts seconds-long leases (one role and one group), and a rule giving them to
 * "All technicians". Lets tests watch whole leases expire.
 */
export const QUICK_TARGET_ID = 'quick-admin';

export async function connectQuickTargets(
  deps: Pick<AppDeps, 'config' | 'vault'>,
  tenants: readonly SeedTenant[] = [CONTOSO, FABRIKAM],
): Promise<void> {
  const now = new Date().toISOString();
  for (const tenant of tenants) {
    if ((await deps.config.getTenant(tenant.id)) === null) {
      const app = seedAppOf(tenant);
      const secretName = await deps.vault.putTenantSecret(tenant.id, app.clientSecret);
      await deps.config.createTenant({
        tenantId: tenant.id,
        displayName: tenant.displayName,
        jitDomain: tenant.domains[0]?.id ?? '',
        connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
        protectedAccounts: tenant.users.filter((u) => u.protected === true).map((u) => u.userPrincipalName),
        createdAt: now,
        updatedAt: now,
      });
    }
    await deps.config.createTarget({
      tenantId: tenant.id,
      targetId: QUICK_TARGET_ID,
      name: 'Quick admin',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      groups: [{ id: tenant.groups[0]?.id ?? '' }],
      defaultDuration: 'PT3S',
      minDuration: 'PT1S',
      maxDuration: 'PT1H',
      approval: { mode: 'none' },
      requireJustification: false,
      requireTicket: false,
      credentialType: 'password',
      createdAt: now,
      updatedAt: now,
    });
  }
  await deps.config.createRule({
    ruleId: 'technicians-quick',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: tenants.map((t) => ({ tenantId: t.id, targetId: QUICK_TARGET_ID })) },
    createdAt: now,
    updatedAt: now,
  });
}
