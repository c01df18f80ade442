import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { recordAudit, userActor } from './audit';
import type { AppDeps } from './deps';
import type { Integration } from './ports';
import { requireAdmin } from './authorization';

export const createIntegrationBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  kind: z.literal('generic').default('generic'),
});

/** Public view: the secret's name is an internal detail, the secret itself never leaves Key Vault. */
export function integrationView(integration: Integration): Omit<Integration, 'secretName'> & { readonly webhookPath: string } {
  const { secretName: _secretName, ...rest } = integration;
  return { ...rest, webhookPath: `/api/webhooks/${integration.integrationId}` };
}

/**
 * A ticketing integration with its own signing secret: generated here (256 bits), kept in Key
 * Vault, and shown once, in this answer.
 */
export async function createIntegration(deps: AppDeps, caller: Caller, body: z.infer<typeof createIntegrationBodySchema>) {
  requireAdmin(caller);
  const integrationId = randomUUID();
  const signingSecret = randomBytes(32).toString('base64url');
  const secretName = await deps.vault.putIntegrationSecret(integrationId, signingSecret);
  const integration: Integration = { integrationId, name: body.name, kind: body.kind, secretName, enabled: true, createdAt: deps.clock.now().toISOString(), createdBy: caller.userPrincipalName };
  await deps.integrations.create(integration);
  await recordAudit(deps, { actor: userActor(caller), action: 'integration.created', details: { integrationId, name: body.name } });
  return { ...integrationView(integration), signingSecret };
}

export async function listIntegrations(deps: AppDeps, caller: Caller) {
  requireAdmin(caller);
  return (await deps.integrations.list()).map(integrationView);
}
