import { z } from 'zod';

/**
 * PSA write-back: what a PSA integration writes on the ticket a request came from when its lease
 * moves (an internal note, optionally a status change). The settings are stored on the integration
 * row as given here; the PSA's API credentials are not among them (they are kept in Key Vault under
 * the row's `writeBackSecretName`). Off unless an admin configures it: rows made before it existed
 * have no `writeBack` and write nothing.
 */
export const writeBackEventSchema = z.enum(['approved', 'denied', 'activated', 'extended', 'ended']);
export type WriteBackEvent = z.infer<typeof writeBackEventSchema>;

const statusNameSchema = z.string().trim().min(1).max(100);

export const psaWriteBackSettingsSchema = z.strictObject({
  apiUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL' })
    .max(500)
    .describe(
      "The PSA's REST API: ConnectWise the site (https://api-na.myconnectwise.net), Autotask the zone's web services (https://webservices5.autotask.net), HaloPSA the resource server (https://<tenant>.halopsa.com/api)",
    ),
  authUrl: z
    .url({ protocol: /^https$/, error: 'must be an https URL' })
    .max(500)
    .optional()
    .describe(
      "HaloPSA only: the authorisation server (https://<tenant>.halopsa.com/auth), whose /token issues the API's tokens",
    ),
  events: z
    .array(writeBackEventSchema)
    .min(1)
    .max(5)
    .refine((events) => new Set(events).size === events.length, { message: 'must not name an event twice' })
    .describe('Which lease events write an internal note on the ticket'),
  statusOnActivation: statusNameSchema
    .optional()
    .describe("The ticket status (its name, or Autotask's numeric value) to set when access is activated"),
  statusOnEnd: statusNameSchema.optional().describe('The ticket status to set when access ends'),
  timeEntryOnEnd: z
    .strictObject({
      resourceId: z
        .string()
        .regex(/^\d{1,9}$/, 'must be a numeric id')
        .optional()
        .describe('Autotask (required there): the resource the time is entered for'),
      roleId: z
        .string()
        .regex(/^\d{1,9}$/, 'must be a numeric id')
        .optional()
        .describe('Autotask (required there): the role the time is entered under'),
      memberIdentifier: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .describe('ConnectWise: the member the time is entered for (default: the API member)'),
      workType: z.string().trim().min(1).max(100).optional().describe('ConnectWise: the work type, by name'),
    })
    .optional()
    .describe(
      "When set, access that ends after it was activated also enters the lease's time on the ticket (from activation to end): a ConnectWise time entry, an Autotask TimeEntry, the HaloPSA action's time taken",
    ),
});
export type PsaWriteBackSettings = z.infer<typeof psaWriteBackSettingsSchema>;

/** The PSA's own ticket id in a PSA delivery's identity (`<kind>:ticket:<id>:<who>`, see ticketDeliveryId). */
export function psaTicketIdOf(deliveryId: string, kind: string): string | null {
  const match = /^([a-z]+):ticket:(\d{1,18}):[0-9a-f]{32}$/.exec(deliveryId);
  return match !== null && match[1] === kind ? (match[2] ?? null) : null;
}

/** The lease's time for a PSA time entry: from activation to end, in hours (two decimals, at least 0.01). */
export interface WriteBackTimeEntry {
  readonly start: string;
  readonly end: string;
  readonly hours: number;
  readonly notes: string;
}

export function leaseTimeEntry(activatedAt: string, endedAt: string, notes: string): WriteBackTimeEntry {
  const hours = Math.max(0.01, Math.round((Date.parse(endedAt) - Date.parse(activatedAt)) / 36_000) / 100);
  return { start: activatedAt, end: endedAt, hours, notes };
}

/** What a note says: names, ids and times, never a credential. */
export interface WriteBackFacts {
  readonly event: WriteBackEvent;
  /** Who did it (the approver, the requester, the person who extended or ended it), or what (expiry). */
  readonly by: string;
  readonly requester: string;
  readonly tenant: string;
  readonly target: string;
  readonly from: string | null;
  readonly until: string | null;
  readonly reason: string | null;
  readonly auditLink: string;
}

const HEADLINES: Readonly<Record<WriteBackEvent, string>> = {
  approved: 'Just-in-time access approved',
  denied: 'Just-in-time access denied',
  activated: 'Just-in-time access activated',
  extended: 'Just-in-time access extended',
  ended: 'Just-in-time access ended',
};

/** The internal note's title and text. */
export function writeBackNote(facts: WriteBackFacts): { readonly title: string; readonly text: string } {
  const lines = [
    `${HEADLINES[facts.event]} by ${facts.by}.`,
    `Technician: ${facts.requester}`,
    `Tenant: ${facts.tenant}`,
    `Target: ${facts.target}`,
    ...(facts.from !== null ? [`From: ${facts.from}`] : []),
    ...(facts.until !== null ? [`Until: ${facts.until}`] : []),
    ...(facts.reason !== null ? [`Reason: ${facts.reason}`] : []),
    `Audit record: ${facts.auditLink}`,
  ];
  return { title: HEADLINES[facts.event], text: lines.join('\n') };
}
