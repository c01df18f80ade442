import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { slugSchema } from '../domain/config';
import { durationSchema } from '../domain/duration';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../domain/errors';
import {
  AUTOTASK_SIGNATURE_HEADER,
  CONNECTWISE_SIGNATURE_HEADER,
  connectWiseSignatureShape,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyAutotaskSignature,
  verifyBasicAuth,
  verifyConnectWiseSignature,
  verifySignature,
} from '../domain/webhookSignature';
import { fieldProblemsOf } from './problem';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import { fingerprintOf, runOnce } from './idempotency';
import { acceptedSecretsOf, sameSecret, type IntegrationSecretCache } from './integrationSecrets';
import type { Integration, LeaseOrchestrations, StoredOutcome } from './ports';
import { readAutotask } from './psa/autotask';
import { decideTicket, type AccessAsk, type TicketDecision } from './psa/common';
import {
  CALLBACK_SECRET_PARAM,
  callbackOriginProblem,
  connectwiseEnvelopeSchema,
  readConnectWise,
  trustedKeyUrl,
  type CallbackKeySource,
} from './psa/connectwise';
import { readHalo } from './psa/halopsa';
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
    .refine((t) => t.objectId !== undefined || t.userPrincipalName !== undefined, {
      message: 'name the technician by objectId or userPrincipalName',
    }),
  tenantId: z.uuid(),
  targetId: slugSchema,
  duration: durationSchema.optional(),
  justification: z.string().trim().min(1).max(1000).optional(),
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export interface WebhookDelivery {
  readonly integrationId: string;
  /** A request header by name (case-insensitive); null when absent. */
  readonly header: (name: string) => string | null;
  /** A query parameter of the URL it was posted to; null when absent. */
  readonly query: (name: string) => string | null;
  readonly rawBody: string;
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
  if (integration.kind === 'generic') return receiveGenericEvent(deps, orchestrations, integration, delivery, secrets);
  const json = await authenticateNative(deps, integration, delivery, secrets, options);
  const decision = readTicket(integration, json);
  if ('ignored' in decision) {
    deps.log('info', 'webhook_ignored', {
      integrationId: integration.integrationId,
      kind: integration.kind,
      reason: decision.ignored,
    });
    return { status: 200, body: { ignored: true, reason: decision.ignored }, replayed: false };
  }
  const event = eventOf(decision.ask);
  // The identity is the ticket's, not the body's: a later save of the same ticket is the same delivery.
  return submitOnce(deps, orchestrations, integration, event, delivery, fingerprintOf(event.deliveryId));
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

async function receiveGenericEvent(
  deps: AppDeps,
  orchestrations: LeaseOrchestrations,
  integration: Integration & { kind: 'generic' },
  delivery: WebhookDelivery,
  secrets: readonly string[],
): Promise<WebhookOutcome> {
  const checks = secrets.map((secret) =>
    verifySignature({
      secret,
      timestamp: delivery.header(TIMESTAMP_HEADER),
      signature: delivery.header(SIGNATURE_HEADER),
      rawBody: delivery.rawBody,
      now: deps.clock.now(),
    }),
  );
  const check = checks.find((c) => c.valid) ??
    checks[0] ?? { valid: false as const, reason: 'the integration has no secret' };
  if (!check.valid) refuse(deps, integration, check.reason);
  const parsed = webhookEventSchema.safeParse(jsonOf(delivery.rawBody));
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  return submitOnce(deps, orchestrations, integration, parsed.data, delivery, fingerprintOf(delivery.rawBody));
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

function jsonOf(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'is not valid JSON' }]);
  }
}

/** Authenticates a native delivery the way its vendor documents, then gives its JSON. */
async function authenticateNative(
  deps: AppDeps,
  integration: Exclude<Integration, { kind: 'generic' }>,
  delivery: WebhookDelivery,
  secrets: readonly string[],
  { callbackKeys: keys, localDevelopment }: WebhookOptions,
): Promise<unknown> {
  switch (integration.kind) {
    case 'autotask': {
      const checks = secrets.map((secretKey) =>
        verifyAutotaskSignature({
          secretKey,
          signature: delivery.header(AUTOTASK_SIGNATURE_HEADER),
          rawBody: delivery.rawBody,
        }),
      );
      const check = checks.find((c) => c.valid) ??
        checks[0] ?? { valid: false as const, reason: 'the integration has no secret' };
      if (!check.valid) refuse(deps, integration, check.reason);
      return jsonOf(delivery.rawBody);
    }
    case 'halopsa': {
      const checks = secrets.map((password) =>
        verifyBasicAuth({
          username: integration.basicUsername,
          password,
          authorization: delivery.header('Authorization'),
        }),
      );
      const check = checks.find((c) => c.valid) ??
        checks[0] ?? { valid: false as const, reason: 'the integration has no secret' };
      if (!check.valid) refuse(deps, integration, check.reason);
      return jsonOf(delivery.rawBody);
    }
    case 'connectwise': {
      // First what only the MSP knows (the secret in the callback URL it registered), before the
      // body is read or any key fetched: on a shared ConnectWise cloud another company can sign a
      // body naming any CompanyId with its own callback key, so the signature alone proves nothing.
      if (secrets.length === 0)
        refuse(
          deps,
          integration,
          'this integration has no callback URL secret yet; rotate its secret and register the callback URL it gives',
        );
      const presented = delivery.query(CALLBACK_SECRET_PARAM);
      if (presented === null || !secrets.some((secret) => sameSecret(presented, secret))) {
        refuse(
          deps,
          integration,
          `the callback URL does not carry the integration's secret (?${CALLBACK_SECRET_PARAM}=)`,
        );
      }
      const originProblem = callbackOriginProblem(integration.callbackKeyOrigin, { localDevelopment });
      if (originProblem !== null) refuse(deps, integration, `the integration's callbackKeyOrigin ${originProblem}`);
      return authenticateConnectWise(deps, integration, delivery, keys);
    }
  }
}

async function authenticateConnectWise(
  deps: AppDeps,
  integration: Integration & { kind: 'connectwise' },
  delivery: WebhookDelivery,
  keys: CallbackKeySource,
): Promise<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(delivery.rawBody);
  } catch {
    refuse(deps, integration, 'the body is not JSON, so its signing key cannot be found');
  }
  const envelope = connectwiseEnvelopeSchema.safeParse(json);
  if (!envelope.success)
    refuse(deps, integration, 'the body names no CompanyId and Metadata.key_url, so it cannot be verified');
  if (envelope.data.CompanyId.toLowerCase() !== integration.companyId.toLowerCase())
    refuse(deps, integration, "the callback is not from the integration's ConnectWise company");
  const keyUrl = trustedKeyUrl(envelope.data.Metadata.key_url, integration.callbackKeyOrigin);
  if ('refused' in keyUrl) refuse(deps, integration, keyUrl.refused);
  const signature = delivery.header(CONNECTWISE_SIGNATURE_HEADER);
  const shape = connectWiseSignatureShape(signature);
  if (!shape.valid) refuse(deps, integration, shape.reason);
  for (const refresh of [false, true]) {
    const signingKey = await keys.getSigningKey(keyUrl.url, { refresh });
    if (signingKey === null)
      refuse(deps, integration, 'the callback signing key could not be obtained from Metadata.key_url');
    if (verifyConnectWiseSignature({ signingKey, signature, rawBody: delivery.rawBody }).valid) {
      keys.markVerified(keyUrl.url);
      return json;
    }
  }
  refuse(deps, integration, `${CONNECTWISE_SIGNATURE_HEADER} does not match the body`);
}

/** The vendor's payload read as a ticket, then the integration's mapping applied. */
function readTicket(integration: Exclude<Integration, { kind: 'generic' }>, json: unknown): TicketDecision {
  const readers = { autotask: readAutotask, halopsa: readHalo, connectwise: readConnectWise } as const;
  const read = readers[integration.kind](json);
  if ('ignored' in read) return read;
  return decideTicket(integration.kind, integration.mapping, read.facts);
}

/** A ticket's ask as the generic event, validated the same way (naming where a bad value came from). */
function eventOf(ask: AccessAsk): WebhookEvent {
  const parsed = webhookEventSchema.safeParse({
    deliveryId: ask.deliveryId,
    type: 'access.requested',
    ticket: ask.ticket,
    technician: { userPrincipalName: ask.technicianUserPrincipalName },
    tenantId: ask.tenantId,
    targetId: ask.targetId,
    ...(ask.duration !== undefined ? { duration: ask.duration } : {}),
    justification: ask.justification,
  });
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    fieldProblemsOf(parsed.error).map((p) => {
      const source = p.field === 'targetId' || p.field === 'duration' ? ask.sources[p.field] : undefined;
      return source === undefined ? p : { field: p.field, message: `${p.message} (from ${source})` };
    }),
  );
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
