import type { AppDeps } from '../src/app/deps';
import { HOME_TENANT, seedAppOf } from './sandbox/seed';

/**
 * The sandbox's home tenant connected like a customer tenant, straight through the stores (its
 * secret in Key Vault, its row): what elevation targets, webhook technicians, GDAP and the
 * benchmarks need. Does nothing when it is connected already.
 */
export async function connectHomeTenant(deps: Pick<AppDeps, 'config' | 'vault'>): Promise<void> {
  if ((await deps.config.getTenant(HOME_TENANT.id)) !== null) return;
  const app = seedAppOf(HOME_TENANT);
  const secretName = await deps.vault.putTenantSecret(HOME_TENANT.id, app.clientSecret);
  const now = new Date().toISOString();
  await deps.config.createTenant({
    tenantId: HOME_TENANT.id,
    displayName: 'MSP (home)',
    jitDomain: 'msp.example',
    connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
    protectedAccounts: [],
    createdAt: now,
    updatedAt: now,
  });
}
