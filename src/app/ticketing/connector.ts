import { z } from 'zod';
import type { FieldProblem } from '../../domain/errors';
import type { IntegrationKind, IntegrationOf, IntegrationSettingsOf } from '../../domain/integration';
import type { CallbackKeySource } from '../ports/callbackKeySource';
import type { WebhookEvent } from './webhookEvent';
import type { PsaWriter } from './writeBack';

/**
 * A ticketing connector: everything that differs between the generic event and each PSA's native
 * webhooks, in one module per kind, registered in ./index.ts. The use cases (integrations.ts,
 * webhooks.ts) look the connector up by the integration's kind once and do the rest alike:
 * Key Vault secrets, storage, audit, idempotency and the access request itself.
 */
export interface Connector<K extends IntegrationKind> {
  readonly kind: K;
  /**
   * The body of POST /integrations for this kind: `name`, `kind` and the kind's settings, which
   * are stored as given (they are the integration's fields besides the common ones).
   */
  readonly createBodySchema: z.ZodObject;
  /**
   * What is wrong with these settings where the service runs (checked on creation, before
   * anything is read or written); none by default.
   */
  settingsProblems?(settings: IntegrationSettingsOf<K>, options: ConnectorOptions): FieldProblem[];
  /** What GET /integrations shows of the kind's settings (the common fields are shown for every kind). */
  view(integration: IntegrationOf<K>): Record<string, unknown>;
  /** What authenticates deliveries, in the kind's words: shown once, on creation and rotation. */
  shownSecret(integration: IntegrationOf<K>, secret: string): Record<string, unknown>;
  /**
   * Authenticates a delivery the way the vendor documents, then gives its JSON. A refusal is
   * returned with its reason (a 401; the reason never names a secret); a body that authenticates
   * but is not JSON throws ValidationError.
   */
  authenticate(
    integration: IntegrationOf<K>,
    delivery: IncomingDelivery,
    context: DeliveryContext,
  ): Promise<Authentication>;
  /** The access request an authenticated delivery asks for, or why it asks for none. */
  read(integration: IntegrationOf<K>, delivery: AuthenticatedDelivery): DeliveryReading;
  /** PSA kinds: how notes are written back on the ticket a request came from (./writeBack.ts). */
  readonly writeBack?: PsaWriter;
}

/** An integration's name, as every kind's creation body carries it. */
export const integrationNameSchema = z.string().trim().min(1).max(128);

/** A kind's creation body: `name`, `kind`, and the kind's settings. */
export function createBodySchemaOf<K extends string, S extends z.ZodRawShape>(kind: K, settings: S) {
  return z.strictObject({ name: integrationNameSchema, kind: z.literal(kind), ...settings });
}

export interface ConnectorOptions {
  /** The local stack: a ConnectWise site on loopback (the tests' key server) is allowed. */
  readonly localDevelopment: boolean;
}

/** A delivery as posted, before anything about it is trusted. */
export interface IncomingDelivery {
  /** A request header by name (case-insensitive); null when absent. */
  readonly header: (name: string) => string | null;
  /** A query parameter of the URL it was posted to; null when absent. */
  readonly query: (name: string) => string | null;
  /** The body as sent: signatures cover these bytes. */
  readonly rawBody: string;
}

export interface DeliveryContext extends ConnectorOptions {
  /** The integration's secrets accepted right now (the current one, and one in its overlap window). */
  readonly secrets: readonly string[];
  readonly now: Date;
  /** ConnectWise PSA's callback signing keys (fetched from the PSA site). */
  readonly callbackKeys: CallbackKeySource;
}

export type Authentication = { readonly json: unknown } | { readonly refused: string };

export interface AuthenticatedDelivery {
  readonly json: unknown;
  readonly rawBody: string;
}

/**
 * What a delivery asks for: the access request, in the generic event's terms, with the fingerprint
 * that tells a repeat of the same delivery from a different one under the same deliveryId.
 */
export type DeliveryReading =
  { readonly ignored: string } | { readonly event: WebhookEvent; readonly fingerprint: string };
