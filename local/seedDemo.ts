import type { AppDeps } from '../src/app/deps';
import { AlreadyExistsError } from '../src/app/ports';
import type { Rule, Target, Tenant } from '../src/domain/config';
import { CONTOSO, HOME_GROUPS, ROLE_DISPLAY_NAMES, ROLE_TEMPLATES, seedAppOf } from './sandbox/seed';

export const DEMO_TARGET_ID = 'helpdesk-admin';
export const DEMO_RULE_ID = 'all-technicians-helpdesk';

/**
 * The walkthrough's configuration: contoso.example connected with its app's client secret (kept
 * in the sandbox's Key Vault), the "Helpdesk admin" target, and a rule letting "All technicians"
 * request it. Idempotent: what exists is left alone.
 */
export async function seedDemoConfiguration(deps: Pick<AppDeps, 'config' | 'vault' | 'clock'>): Promise<void> {
  const now = deps.clock.now().toISOString();
  const app = seedAppOf(CONTOSO);
  if ((await deps.config.getTenant(CONTOSO.id)) === null) {
    const secretName = await deps.vault.putTenantSecret(CONTOSO.id, app.clientSecret);
    const tenant: Tenant = {
      tenantId: CONTOSO.id,
      displayName: CONTOSO.displayName,
      jitDomain: 'contoso.example',
      connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
      protectedAccounts: CONTOSO.users.filter((u) => u.protected === true).map((u) => u.userPrincipalName),
      createdAt: now,
      updatedAt: now,
    };
    await ignoreExisting(deps.config.createTenant(tenant));
  }
  const roles = [ROLE_TEMPLATES.userAdministrator, ROLE_TEMPLATES.helpdeskAdministrator];
  const target: Target = {
    tenantId: CONTOSO.id,
    targetId: DEMO_TARGET_ID,
    name: 'Helpdesk admin',
    kind: 'adminAccount',
    roles: roles.map((templateId) => ({ templateId, displayName: ROLE_DISPLAY_NAMES[templateId] ?? templateId })),
    groups: [],
    defaultDuration: 'PT4H',
    minDuration: 'PT30S',
    maxDuration: 'PT8H',
    approval: { mode: 'none' },
    requireJustification: false,
    requireTicket: false,
    accessDetails: 'Sign in at https://entra.microsoft.com with the account below; it is disabled again when the lease ends.',
    credentialType: 'password',
    createdAt: now,
    updatedAt: now,
  };
  if ((await deps.config.getTarget(CONTOSO.id, DEMO_TARGET_ID)) === null) await ignoreExisting(deps.config.createTarget(target));
  const rule: Rule = {
    ruleId: DEMO_RULE_ID,
    description: 'All technicians may request Helpdesk admin in Contoso',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [{ tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID }] },
    createdAt: now,
    updatedAt: now,
  };
  if ((await deps.config.getRule(DEMO_RULE_ID)) === null) await ignoreExisting(deps.config.createRule(rule));
}

async function ignoreExisting(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
}
