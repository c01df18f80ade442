import { createHash } from 'node:crypto';
import { ValidationError, fieldProblemsOf } from '../../domain/errors';
import type { IntegrationKind } from '../../domain/integration';
import type { PsaMapping } from '../../domain/psaMapping';
import { fingerprintOf } from '../idempotency';
import type { DeliveryReading } from './connector';
import type { TicketFacts, TicketRead } from './psaTicket';
import { webhookEventSchema, type WebhookEvent } from './webhookEvent';

/**
 * A PSA ticket through the integration's mapping (src/domain/psaMapping.ts): does it ask for
 * access, and for what — the same access request the generic event asks for.
 */

/** An access request read from a ticket, in the generic event's terms. */
export interface AccessAsk {
  readonly deliveryId: string;
  readonly ticket: string;
  readonly technicianUserPrincipalName: string;
  readonly tenantId: string;
  readonly targetId: string;
  readonly duration?: string;
  readonly justification: string;
  /** Where targetId and duration came from, for messages when they are not valid. */
  readonly sources: Readonly<Partial<Record<'targetId' | 'duration', string>>>;
}

export type TicketDecision = { readonly ignored: string } | { readonly ask: AccessAsk };

/** The PSA kinds: every integration kind but the generic event. */
export type PsaKind = Exclude<IntegrationKind, 'generic'>;

function lookup<V>(map: Readonly<Record<string, V>>, keys: readonly string[]): V | undefined {
  const byKey = new Map(Object.entries(map).map(([k, v]) => [k.trim().toLowerCase(), v]));
  for (const key of keys) {
    const found = byKey.get(key.trim().toLowerCase());
    if (found !== undefined) return found;
  }
  return undefined;
}

function named(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.map((v) => `'${v}'`).join(' / ');
}

/**
 * A ticket's delivery identity: the ticket with who gets access where. Native payloads describe a
 * ticket's state and PSAs send one on every save, so the first event that asks is the delivery;
 * every later one for the same ticket, technician, tenant and target (a redelivery, another save
 * while the status stays, the status set again) gets the first outcome and provisions nothing.
 */
export function ticketDeliveryId(
  kind: PsaKind,
  ticketId: string,
  tenantId: string,
  targetId: string,
  technicianUserPrincipalName: string,
): string {
  const who = createHash('sha256')
    .update(`${tenantId}\n${targetId}\n${technicianUserPrincipalName.toLowerCase()}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
  return `${kind}:ticket:${ticketId}:${who}`;
}

/**
 * Does this ticket ask for access, and for what: the mapping applied to the facts. `vendorName`
 * (as people know the PSA) starts the justification.
 */
export function decideTicket(
  kind: PsaKind,
  vendorName: string,
  mapping: PsaMapping,
  facts: TicketFacts,
): TicketDecision {
  const statuses = new Set(mapping.accessRequestedStatuses.map((s) => s.toLowerCase()));
  if (!facts.status.some((s) => statuses.has(s.trim().toLowerCase()))) {
    return {
      ignored: `ticket ${facts.ticketReference}: its status ${named(facts.status)} is not one that asks for access`,
    };
  }
  const tenantId = lookup(mapping.tenants, facts.company);
  if (tenantId === undefined)
    return { ignored: `ticket ${facts.ticketReference}: company ${named(facts.company)} is not mapped to a tenant` };
  const technician = lookup(mapping.technicians, facts.technician);
  if (technician === undefined)
    return {
      ignored: `ticket ${facts.ticketReference}: technician ${named(facts.technician)} is not mapped to a home-tenant user`,
    };
  let targetId: string;
  const sources: Partial<Record<'targetId' | 'duration', string>> = {};
  if (mapping.target.fixed !== undefined) targetId = mapping.target.fixed;
  else {
    const fieldName = mapping.target.field ?? '';
    const value = facts.field(fieldName);
    if (value === null)
      return { ignored: `ticket ${facts.ticketReference}: its field '${fieldName}' (the target) is empty` };
    targetId = value;
    sources.targetId = `the ticket's field '${fieldName}'`;
  }
  let duration: string | undefined;
  if (mapping.durationField !== undefined) {
    duration = facts.field(mapping.durationField) ?? undefined;
    if (duration !== undefined) sources.duration = `the ticket's field '${mapping.durationField}'`;
  }
  const summary = facts.summary?.trim() ?? '';
  const justification = `${vendorName} ticket ${facts.ticketReference}${summary === '' ? '' : `: ${summary}`}`.slice(
    0,
    1000,
  );
  return {
    ask: {
      deliveryId: ticketDeliveryId(kind, facts.ticketId, tenantId, targetId, technician),
      ticket: facts.ticketReference.slice(0, 128),
      technicianUserPrincipalName: technician,
      tenantId,
      targetId,
      ...(duration !== undefined ? { duration } : {}),
      justification,
      sources,
    },
  };
}

/** A ticket's ask as the generic event, validated the same way (naming where a bad value came from). */
export function eventOfAsk(ask: AccessAsk): WebhookEvent {
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
 * What a PSA delivery asks for: the ticket it read through the mapping. The identity is the
 * ticket's, not the body's: a later save of the same ticket is the same delivery.
 */
export function readingOfTicket(
  kind: PsaKind,
  vendorName: string,
  mapping: PsaMapping,
  read: TicketRead,
): DeliveryReading {
  if ('ignored' in read) return read;
  const decision = decideTicket(kind, vendorName, mapping, read.facts);
  if ('ignored' in decision) return decision;
  const event = eventOfAsk(decision.ask);
  return { event, fingerprint: fingerprintOf(event.deliveryId) };
}
