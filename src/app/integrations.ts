import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { ValidationError, type FieldProblem } from '../domain/errors';
import { recordAudit, userActor } from './audit';
import type { AppDeps } from './deps';
import type { Integration } from './ports';
import { requireAdmin } from './authorization';
import { psaMappingSchema, type PsaMapping } from './psa/common';
import { callbackKeyOriginSchema } from './psa/connectwise';

const nameSchema = z.string().trim().min(1).max(128);

/**
 * A ticketing integration: `generic` (our signed event) or a PSA's native webhooks, with the
 * mapping from its tickets to access requests (docs/ticketing.md). Without `kind`, generic.
 */
export const createIntegrationBodySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ name: nameSchema, kind: z.literal('generic').default('generic') }),
    z.strictObject({ name: nameSchema, kind: z.literal('autotask'), mapping: psaMappingSchema }),
    z.strictObject({
      name: nameSchema,
      kind: z.literal('halopsa'),
      mapping: psaMappingSchema,
      basicUsername: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash and underscore, at most 64')
        .default('entra-jit')
        .describe('The Basic authentication username to set on the HaloPSA webhook (the password is generated)'),
    }),
    z.strictObject({
      name: nameSchema,
      kind: z.literal('connectwise'),
      mapping: psaMappingSchema,
      companyId: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'the company id you sign in to ConnectWise PSA with')
        .describe("The PSA's login company id (a callback's CompanyId); callbacks of any other company are refused"),
      callbackKeyOrigin: callbackKeyOriginSchema.describe("The PSA site's origin: callbacks' signing keys are only fetched from it"),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'kind must be generic, connectwise, autotask or halopsa' : undefined) },
);
export type CreateIntegrationBody = z.infer<typeof createIntegrationBodySchema>;

/** The secret shown in the creation answer only: HMAC keys are 256 random bits, as is the HaloPSA password. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export type IntegrationView = Record<string, unknown> & { readonly integrationId: string; readonly webhookPath: string };

/** Public view: the secret's name is an internal detail, the secret itself never leaves Key Vault. */
export function integrationView(integration: Integration): IntegrationView {
  const common = { integrationId: integration.integrationId, name: integration.name, kind: integration.kind, enabled: integration.enabled, createdAt: integration.createdAt, createdBy: integration.createdBy };
  const webhookPath = `/api/webhooks/${integration.integrationId}`;
  switch (integration.kind) {
    case 'generic':
      return { ...common, webhookPath };
    case 'autotask':
      return { ...common, mapping: integration.mapping, webhookPath };
    case 'halopsa':
      return { ...common, mapping: integration.mapping, basicUsername: integration.basicUsername, webhookPath };
    case 'connectwise':
      return { ...common, mapping: integration.mapping, companyId: integration.companyId, callbackKeyOrigin: integration.callbackKeyOrigin, webhookPath };
  }
}

/**
 * A ticketing integration and what authenticates its deliveries, shown once in this answer:
 * generic and Autotask get an HMAC signing secret (Autotask's webhook SecretKey), HaloPSA a Basic
 * password; all are generated here and kept in Key Vault. ConnectWise callbacks are signed with
 * keys the PSA serves, so there is nothing to show.
 */
export async function createIntegration(deps: AppDeps, caller: Caller, body: CreateIntegrationBody) {
  requireAdmin(caller);
  if (body.kind !== 'generic') await requireConnectedTenants(deps, body.mapping);
  const integrationId = randomUUID();
  const base = { integrationId, name: body.name, enabled: true, createdAt: deps.clock.now().toISOString(), createdBy: caller.userPrincipalName };
  let integration: Integration;
  let shown: Record<string, unknown> = {};
  if (body.kind === 'connectwise') {
    integration = { ...base, kind: 'connectwise', mapping: body.mapping, companyId: body.companyId, callbackKeyOrigin: body.callbackKeyOrigin };
  } else {
    const secret = newSecret();
    const secretName = await deps.vault.putIntegrationSecret(integrationId, secret);
    if (body.kind === 'generic') {
      integration = { ...base, kind: 'generic', secretName };
      shown = { signingSecret: secret };
    } else if (body.kind === 'autotask') {
      integration = { ...base, kind: 'autotask', secretName, mapping: body.mapping };
      shown = { signingSecret: secret };
    } else {
      integration = { ...base, kind: 'halopsa', secretName, basicUsername: body.basicUsername, mapping: body.mapping };
      shown = { basicAuth: { username: body.basicUsername, password: secret } };
    }
  }
  await deps.integrations.create(integration);
  await recordAudit(deps, { actor: userActor(caller), action: 'integration.created', details: { integrationId, name: body.name, kind: body.kind } });
  return { ...integrationView(integration), ...shown };
}

/** A mapping may only send requests to tenants that are connected (a typo would otherwise surface per ticket). */
async function requireConnectedTenants(deps: AppDeps, mapping: PsaMapping): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const [company, tenantId] of Object.entries(mapping.tenants)) {
    if ((await deps.config.getTenant(tenantId)) === null) problems.push({ field: `mapping.tenants.${company}`, message: `tenant ${tenantId} is not connected` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
}

export async function listIntegrations(deps: AppDeps, caller: Caller) {
  requireAdmin(caller);
  return (await deps.integrations.list()).map(integrationView);
}
