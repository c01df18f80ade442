import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { slugSchema } from '../domain/config';
import { durationSchema } from '../domain/duration';
import { ConflictError, NotFoundError, TransientDependencyError, UnauthenticatedError, ValidationError } from '../domain/errors';
import { verifySignature } from '../domain/webhookSignature';
import { fieldProblemsOf } from './problem';
import type { AppDeps } from './deps';
import { fingerprintOf, runOnce } from './idempotency';
import type { LeaseOrchestrations, StoredOutcome } from './ports';
import { submitRequest } from './requests';

/**
 * The generic ticketing event (documented in the README): a ticketing system asks for access for
 * a technician. The integration is trusted to name the technician (it authenticated with its
 * signing secret); the technician is looked up in the home tenant (by object id or UPN) and the
 * entitlement rules are still checked for that technician, exactly as for a portal request.
 */
export const webhookEventSchema = z.strictObject({
  /** Unique per delivery; a repeat returns the first outcome. */
  deliveryId: z.string().trim().min(1).max(200),
  type: z.literal('access.requested'),
  ticket: z.string().trim().min(1).max(128),
  technician: z
    .strictObject({ objectId: z.uuid().optional(), userPrincipalName: z.string().trim().min(3).max(113).optional() })
    .refine((t) => t.objectId !== undefined || t.userPrincipalName !== undefined, { message: 'name the technician by objectId or userPrincipalName' }),
  tenantId: z.uuid(),
  targetId: slugSchema,
  duration: durationSchema.optional(),
  justification: z.string().trim().min(1).max(1000).optional(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export interface WebhookDelivery {
  readonly integrationId: string;
  readonly timestamp: string | null;
  readonly signature: string | null;
  readonly rawBody: string;
  /** Where the new request can be read, for the answer's `Location`. */
  readonly requestUrl: (requestId: string) => string;
  /** The path it was posted to (problem details' `instance`). */
  readonly instance: string;
}

export async function receiveWebhook(deps: AppDeps, orchestrations: LeaseOrchestrations, delivery: WebhookDelivery): Promise<StoredOutcome & { readonly replayed: boolean }> {
  const integration = await deps.integrations.get(delivery.integrationId);
  if (integration === null || !integration.enabled) throw new NotFoundError(`integration ${delivery.integrationId} does not exist`);
  const secret = await deps.vault.getIntegrationSecret(integration.secretName);
  if (secret === null) throw new TransientDependencyError(`the signing secret of integration ${integration.integrationId} cannot be read`);
  const check = verifySignature({ secret, timestamp: delivery.timestamp, signature: delivery.signature, rawBody: delivery.rawBody, now: deps.clock.now() });
  if (!check.valid) {
    deps.log('warn', 'webhook_refused', { integrationId: integration.integrationId, reason: check.reason });
    throw new UnauthenticatedError(`webhook refused: ${check.reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(delivery.rawBody);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'is not valid JSON' }]);
  }
  const parsed = webhookEventSchema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  const event = parsed.data;
  return runOnce(deps.webhookDeliveries, integration.integrationId, event.deliveryId, fingerprintOf(delivery.rawBody), async () => {
    const technician = await resolveTechnician(deps, event.technician);
    const request = await submitRequest(
      deps,
      orchestrations,
      technician,
      {
        tenantId: event.tenantId,
        targetId: event.targetId,
        ticket: event.ticket,
        ...(event.duration !== undefined ? { duration: event.duration } : {}),
        ...(event.justification !== undefined ? { justification: event.justification } : {}),
      },
      { actor: { type: 'integration', id: integration.integrationId, userPrincipalName: integration.name }, origin: { integrationId: integration.integrationId, deliveryId: event.deliveryId } },
    );
    return {
      status: 202,
      body: { requestId: request.id, status: request.status, ticket: request.ticket, technician: technician.userPrincipalName },
      headers: { Location: delivery.requestUrl(request.id) },
    };
  }, delivery.instance);
}

/**
 * The technician as the home tenant's directory knows them, with every group they belong to,
 * nested ones included, as their token's `groups` claim would carry (for the entitlement rules).
 * Needs the home tenant connected like any other tenant.
 */
async function resolveTechnician(deps: AppDeps, named: WebhookEvent['technician']): Promise<Caller> {
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null) throw new ConflictError(`the home tenant ${deps.workflow.homeTenantId} is not connected, so technicians named by integrations cannot be looked up; connect it first`);
  const directory = await deps.directories.forTenant(home.value);
  const user = named.objectId !== undefined ? await directory.getUser(named.objectId) : await directory.getUserByPrincipalName(named.userPrincipalName ?? '');
  if (user === null) throw new ValidationError([{ field: 'technician', message: `no such user in the home tenant` }]);
  if (named.userPrincipalName !== undefined && user.userPrincipalName.toLowerCase() !== named.userPrincipalName.toLowerCase()) {
    throw new ValidationError([{ field: 'technician', message: 'objectId and userPrincipalName name different users' }]);
  }
  const groups = (await directory.getUserWithGroups(user.objectId))?.groupIds ?? [];
  return { objectId: user.objectId, tenantId: home.value.tenantId, userPrincipalName: user.userPrincipalName, displayName: undefined, groups, roles: [] };
}
