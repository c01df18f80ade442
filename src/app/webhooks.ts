import type { Caller } from '../domain/caller';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../domain/errors';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import { runOnce } from './idempotency';
import { acceptedSecretsOf, type IntegrationSecretCache } from './integrationSecrets';
import type { Integration, LeaseOrchestrations, StoredOutcome } from './ports';
import type { CallbackKeySource } from './ports/callbackKeySource';
import { submitRequest } from './requests';
import { connectorOf } from './ticketing';
import type { IncomingDelivery } from './ticketing/connector';
import type { WebhookEvent } from './ticketing/webhookEvent';

/** Where the API table (src/http/admin/operations.ts) has imported it from: the event is the generic connector's. */
export { webhookEventSchema, type WebhookEvent } from './ticketing/webhookEvent';

export interface WebhookDelivery extends IncomingDelivery {
  readonly integrationId: string;
  /** Where the new request can be read, for the answer's `Location`. */
  readonly requestUrl: (requestId: string) => string;
  /** The path it was posted to (problem details' `instance`). */
  readonly instance: string;
}

export interface WebhookOptions {
  /** ConnectWise PSA's callback signing keys (fetched from the PSA site). */
  readonly callbackKeys: CallbackKeySource;
  /** Integration secrets, cached briefly (defaults to the process-wide cache). */
  readonly secrets?: IntegrationSecretCache;
  /** The local stack: a ConnectWise site on loopback (the tests' key server) is allowed. */
  readonly localDevelopment: boolean;
}

export type WebhookOutcome = StoredOutcome & { readonly replayed: boolean };

/**
 * POST /webhooks/{integrationId}: the generic signed event, or a PSA's native webhook mapped to the
 * same access request. Either way the request goes through submitRequest once per delivery
 * (runOnce), so entitlement rules, approval, audit and idempotency apply unchanged. A delivery that
 * does not authenticate is a 401 and changes nothing; a native event that does not ask for access
 * is answered 200 with the reason (PSAs disable webhooks whose deliveries keep failing). Only a
 * success is kept for replay: every refusal past authentication and schema checks depends on
 * configuration (home tenant, mapping, rules, targets, live leases), so a retry after an admin has
 * fixed it is evaluated again instead of being answered the stale refusal.
 */
export async function receiveWebhook(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  delivery: WebhookDelivery,
  options: WebhookOptions,
): Promise<WebhookOutcome> {
  const stored = await deps.integrations.get(delivery.integrationId);
  if (stored === null) throw new NotFoundError(`integration ${delivery.integrationId} does not exist or is disabled`);
  const integration = stored.value;
  if (integration.deletedAt !== undefined || !integration.enabled) {
    await auditRefusedDelivery(deps, integration, integration.deletedAt !== undefined ? 'deleted' : 'disabled');
    throw new NotFoundError(`integration ${delivery.integrationId} does not exist or is disabled`);
  }
  const secrets = await acceptedSecretsOf(deps.vault, integration, deps.clock.now(), options.secrets);
  const connector = connectorOf(integration.kind);
  const authenticated = await connector.authenticate(integration, delivery, {
    secrets,
    now: deps.clock.now(),
    callbackKeys: options.callbackKeys,
    localDevelopment: options.localDevelopment,
  });
  if ('refused' in authenticated) refuse(deps, integration, authenticated.refused);
  const reading = connector.read(integration, { json: authenticated.json, rawBody: delivery.rawBody });
  if ('ignored' in reading) {
    deps.log('info', 'webhook_ignored', {
      integrationId: integration.integrationId,
      kind: integration.kind,
      reason: reading.ignored,
    });
    return { status: 200, body: { ignored: true, reason: reading.ignored }, replayed: false };
  }
  return submitOnce(deps, orchestrations, integration, reading.event, delivery, reading.fingerprint);
}

/** When each integration's refused deliveries were last audited: a stream of them makes one record a minute. */
const lastRefusalAudit = new Map<string, number>();
const REFUSAL_AUDIT_INTERVAL_MS = 60_000;

/**
 * A delivery to a disabled or deleted integration is refused and audited: its sender still believes
 * it is connected (or someone replays its deliveries). Deliveries are unauthenticated at this point,
 * so the audit is throttled per integration (in this process, and by a per-minute record id).
 */
async function auditRefusedDelivery(
  deps: AppDeps,
  integration: Integration,
  reason: 'disabled' | 'deleted',
): Promise<void> {
  deps.log('warn', 'webhook_refused', {
    integrationId: integration.integrationId,
    kind: integration.kind,
    reason: `the integration is ${reason}`,
  });
  const now = deps.clock.now().getTime();
  const minute = Math.floor(now / REFUSAL_AUDIT_INTERVAL_MS);
  const last = lastRefusalAudit.get(integration.integrationId);
  if (last !== undefined && now - last < REFUSAL_AUDIT_INTERVAL_MS) return;
  if (lastRefusalAudit.size >= 1_000) lastRefusalAudit.delete(lastRefusalAudit.keys().next().value ?? '');
  lastRefusalAudit.set(integration.integrationId, now);
  await recordAudit(deps, {
    id: leaseStepAuditId(integration.integrationId, 'webhook.refused', String(minute)),
    actor: { type: 'integration', id: integration.integrationId, userPrincipalName: integration.name },
    action: 'webhook.refused',
    outcome: 'failure',
    details: {
      integrationId: integration.integrationId,
      kind: integration.kind,
      reason: `the integration is ${reason}`,
    },
  });
}

async function submitOnce(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  integration: Integration,
  event: WebhookEvent,
  delivery: WebhookDelivery,
  fingerprint: string,
): Promise<WebhookOutcome> {
  return runOnce(
    deps.webhookDeliveries,
    integration.integrationId,
    event.deliveryId,
    fingerprint,
    async () => {
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
        {
          actor: { type: 'integration', id: integration.integrationId, userPrincipalName: integration.name },
          origin: { integrationId: integration.integrationId, deliveryId: event.deliveryId },
        },
      );
      return {
        status: 202,
        body: {
          requestId: request.id,
          status: request.status,
          ticket: request.ticket,
          technician: technician.userPrincipalName,
        },
        headers: { Location: delivery.requestUrl(request.id) },
      };
    },
    { instance: delivery.instance, keepRefusals: false },
  );
}

function refuse(deps: AppDeps, integration: Integration, reason: string): never {
  deps.log('warn', 'webhook_refused', { integrationId: integration.integrationId, kind: integration.kind, reason });
  throw new UnauthenticatedError(`webhook refused: ${reason}`);
}

/**
 * The technician as the home tenant's directory knows them, with every group they belong to,
 * nested ones included, as their token's `groups` claim would carry (for the entitlement rules).
 * Needs the home tenant connected like any other tenant.
 */
async function resolveTechnician(deps: AppDeps, named: WebhookEvent['technician']): Promise<Caller> {
  const home = await deps.config.getTenant(deps.workflow.homeTenantId);
  if (home === null)
    throw new ConflictError(
      `the home tenant ${deps.workflow.homeTenantId} is not connected, so technicians named by integrations cannot be looked up; connect it first`,
    );
  const directory = await deps.directories.forTenant(home.value);
  const user =
    named.objectId !== undefined
      ? await directory.getUser(named.objectId)
      : await directory.getUserByPrincipalName(named.userPrincipalName ?? '');
  if (user === null) throw new ValidationError([{ field: 'technician', message: `no such user in the home tenant` }]);
  if (
    named.userPrincipalName !== undefined &&
    user.userPrincipalName.toLowerCase() !== named.userPrincipalName.toLowerCase()
  ) {
    throw new ValidationError([
      { field: 'technician', message: 'objectId and userPrincipalName name different users' },
    ]);
  }
  const groups = (await directory.getUserWithGroups(user.objectId))?.groupIds ?? [];
  return {
    objectId: user.objectId,
    tenantId: home.value.tenantId,
    userPrincipalName: user.userPrincipalName,
    displayName: undefined,
    groups,
    roles: [],
  };
}
