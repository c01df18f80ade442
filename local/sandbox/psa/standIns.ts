import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SandboxStore } from '../store';

/**
 * The PSA stand-ins' shared state, one per running sandbox and never persisted: per PSA the API
 * account that may call it, the tickets that exist, the statuses it knows, what it received (every
 * call, authenticated or not, so tests can read it all back) and a fault switch that fails the next
 * N calls. Tests configure a PSA with `PUT /psa/_sandbox/{kind}` and read it with `GET`.
 */
export const PSA_KINDS = ['connectwise', 'autotask', 'halopsa'] as const;
export type PsaKind = (typeof PSA_KINDS)[number];

export const psaAccountSchema = z.strictObject({
  /** The credentials the PSA accepts, by field (each PSA's names: publicKey, secret, clientSecret …). */
  credentials: z.record(z.string(), z.string()),
  /** ConnectWise: the login company the Basic user name starts with. */
  companyId: z.string().optional(),
  tickets: z.array(z.string().regex(/^\d+$/)).max(1000),
  /** Status names (ConnectWise) or numeric values (Autotask, HaloPSA) a ticket may be set to. */
  statuses: z.array(z.string()).max(100).default([]),
});
export type PsaAccount = z.infer<typeof psaAccountSchema>;

export const psaFaultSchema = z.strictObject({
  /** The next this many calls (token requests included) fail with `status`. */
  failNext: z.number().int().min(0).max(100),
  status: z.number().int().min(400).max(599).default(503),
});

export interface ReceivedCall {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** Headers but the ones carrying the PSA credentials (kept out so tests can print this). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly status: number;
}

export interface WrittenNote {
  readonly ticketId: string;
  readonly text: string;
  readonly title: string | null;
  readonly internal: boolean;
}

export interface WrittenTimeEntry {
  readonly ticketId: string;
  readonly start: string;
  readonly end: string;
  readonly hours: number;
  readonly notes: string;
  /** The PSA's own fields besides those (member, work type, resource, role). */
  readonly for: Readonly<Record<string, unknown>>;
}

export class PsaStandIn {
  account: PsaAccount | null = null;
  readonly received: ReceivedCall[] = [];
  readonly notes: WrittenNote[] = [];
  readonly statusChanges: { ticketId: string; status: string }[] = [];
  /** Time entered on tickets: ConnectWise time entries, Autotask TimeEntries, HaloPSA actions' time taken. */
  readonly timeEntries: WrittenTimeEntry[] = [];
  failNext = 0;
  failStatus = 503;
  /** HaloPSA: bearer tokens it issued. */
  readonly tokens = new Set<string>();

  /** A configured fault, if one is left: consumes it. */
  takeFault(): number | null {
    if (this.failNext <= 0) return null;
    this.failNext -= 1;
    return this.failStatus;
  }

  hasTicket(id: string): boolean {
    return this.account?.tickets.includes(id) ?? false;
  }

  /** Whether `presented` is the account's credential `field` (constant time). */
  credentialIs(field: string, presented: string | undefined): boolean {
    const expected = this.account?.credentials[field];
    if (expected === undefined || presented === undefined) return false;
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(presented, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  view(): Record<string, unknown> {
    return {
      configured: this.account !== null,
      tickets: this.account?.tickets ?? [],
      notes: this.notes,
      statusChanges: this.statusChanges,
      timeEntries: this.timeEntries,
      received: this.received,
      failNext: this.failNext,
    };
  }
}

const standIns = new WeakMap<SandboxStore, Map<PsaKind, PsaStandIn>>();

export function standInOf(store: SandboxStore, kind: PsaKind): PsaStandIn {
  let byKind = standIns.get(store);
  if (byKind === undefined) {
    byKind = new Map();
    standIns.set(store, byKind);
  }
  let standIn = byKind.get(kind);
  if (standIn === undefined) {
    standIn = new PsaStandIn();
    byKind.set(kind, standIn);
  }
  return standIn;
}
