import { createHash } from 'node:crypto';
import { z } from 'zod';
import { auditEventSchema, type AuditEvent } from './audit';

/**
 * The audit log is a hash chain per partition: record n carries `prevHash` (the hash of record
 * n-1, or GENESIS_HASH for the first) and `hash` = SHA-256 over the previous hash, its sequence
 * number and the canonical JSON of the event. Editing a record breaks its own hash; deleting one
 * leaves a gap in the sequence and a prevHash that points at nothing; both are found by
 * `ChainVerifier`. An attacker who can rewrite every later record and the head could rebuild the
 * chain: an anchor (a record's seq and hash noted elsewhere, as the reconciler logs the head on
 * every run) catches that, since a rebuilt chain cannot reproduce the anchored hash.
 */
export const GENESIS_HASH = '0'.repeat(64);
const hexHash = z.string().regex(/^[0-9a-f]{64}$/);

export const auditRecordSchema = auditEventSchema.extend({
  seq: z.number().int().min(1),
  prevHash: hexHash,
  hash: hexHash,
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function eventOf(record: AuditEvent): AuditEvent {
  const { id, at, actor, action, outcome, requestId, tenantId, targetId, ticket, details, requesterId } = record;
  return {
    id,
    at,
    actor,
    action,
    outcome,
    requestId,
    tenantId,
    targetId,
    ticket,
    details,
    ...(requesterId !== undefined ? { requesterId } : {}),
  };
}

export function chainHash(prevHash: string, seq: number, event: AuditEvent): string {
  return createHash('sha256')
    .update(`${prevHash}\n${seq}\n${canonicalJson(eventOf(event))}`)
    .digest('hex');
}

export function chainRecord(event: AuditEvent, head: { readonly seq: number; readonly hash: string }): AuditRecord {
  const seq = head.seq + 1;
  return { ...eventOf(event), seq, prevHash: head.hash, hash: chainHash(head.hash, seq, event) };
}

export interface BrokenLink {
  readonly seq: number;
  readonly eventId: string | null;
  readonly reason: string;
}

/** A record's seq and hash as noted outside the table (a log, a ticket): what a rebuilt chain cannot fake. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

export interface ChainVerification {
  readonly intact: boolean;
  readonly records: number;
  readonly headSeq: number;
  /** The head's hash: note it (with headSeq) to verify against later as an anchor. */
  readonly headHash: string | null;
  /** Whether the anchored record is there with the anchored hash; null when no anchor was given. */
  readonly anchorMatches: boolean | null;
  /** The oldest broken link (the first one a reader walking forward meets). */
  readonly firstBroken: BrokenLink | null;
}

/**
 * Checks a chain fed newest first (the order the table lists it in), one record at a time, so a
 * long log is verified without holding it in memory.
 */
export class ChainVerifier {
  private newer: AuditRecord | null = null;
  private count = 0;
  private broken: BrokenLink | null = null;
  private anchorMatches: boolean | null;

  constructor(
    private readonly head: { readonly seq: number; readonly hash: string } | null,
    private readonly anchor: ChainAnchor | null = null,
  ) {
    this.anchorMatches = anchor === null ? null : false;
  }

  push(record: AuditRecord): void {
    this.count += 1;
    if (this.anchor !== null && record.seq === this.anchor.seq) {
      this.anchorMatches = record.hash === this.anchor.hash;
      if (!this.anchorMatches)
        this.fail({
          seq: record.seq,
          eventId: record.id,
          reason: `its hash is not the anchored one: the chain was rewritten from record ${record.seq} on`,
        });
    }
    if (this.newer === null) {
      if (this.head !== null && (this.head.seq !== record.seq || this.head.hash !== record.hash)) {
        this.fail({
          seq: record.seq,
          eventId: record.id,
          reason: `the chain head (seq ${this.head.seq}) does not match the newest record (seq ${record.seq})`,
        });
      }
    } else if (this.newer.seq !== record.seq + 1) {
      this.fail({
        seq: record.seq + 1,
        eventId: null,
        reason: `record(s) ${record.seq + 1}..${this.newer.seq - 1} are missing`,
      });
    } else if (this.newer.prevHash !== record.hash) {
      this.fail({
        seq: this.newer.seq,
        eventId: this.newer.id,
        reason: `its prevHash does not match the hash of record ${record.seq}`,
      });
    }
    if (chainHash(record.prevHash, record.seq, record) !== record.hash) {
      this.fail({ seq: record.seq, eventId: record.id, reason: 'its content does not match its hash (edited)' });
    }
    this.newer = record;
  }

  result(): ChainVerification {
    const oldest = this.newer;
    if (oldest !== null && (oldest.seq !== 1 || oldest.prevHash !== GENESIS_HASH)) {
      this.fail({
        seq: 1,
        eventId: null,
        reason: `the chain starts at record ${oldest.seq}, not at 1 from the genesis hash`,
      });
    }
    if (oldest === null && this.head !== null && this.head.seq > 0) {
      this.fail({ seq: 1, eventId: null, reason: `the head says ${this.head.seq} record(s) but none are stored` });
    }
    const headSeq = this.head?.seq ?? 0;
    if (this.anchor !== null && this.anchor.seq > headSeq) {
      this.fail({
        seq: this.anchor.seq,
        eventId: null,
        reason: `the chain ends at record ${headSeq}, before the anchored record ${this.anchor.seq}: records were removed`,
      });
    }
    return {
      intact: this.broken === null,
      records: this.count,
      headSeq,
      headHash: this.head?.hash ?? null,
      anchorMatches: this.anchorMatches,
      firstBroken: this.broken,
    };
  }

  /** Fed newest first: a later call has found an older break, which is the one to report. */
  private fail(link: BrokenLink): void {
    if (this.broken === null || link.seq <= this.broken.seq) this.broken = link;
  }
}
