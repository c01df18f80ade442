import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * JIT admin accounts: `jit-<alias>@<managed domain>`, one per technician per customer tenant,
 * created on first use and reused. Entra allows at most 64 characters before the `@`.
 */
export const JIT_PREFIX = 'jit-';
export const MAX_LOCAL_PART = 64;

/** The account row the service keeps for each JIT account it created. */
export const jitAccountSchema = z.strictObject({
  tenantId: z.uuid(),
  requesterObjectId: z.uuid(),
  userPrincipalName: z.string(),
  /** Null while the account is being created: the row is written first so a retried creation can recognise its own account. */
  objectId: z.uuid().nullable(),
  /**
   * The nonce the account was (or is being) created with, as its employeeId: after a lost answer
   * the user at this UPN is ours only if it carries it. Absent on rows older than the marker.
   */
  creationMarker: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
});
export type JitAccount = z.infer<typeof jitAccountSchema>;

/** Alias from the technician's UPN: `alice.smith@msp.example` → `alice-smith`. */
export function aliasFor(requesterUpn: string): string {
  const local = requesterUpn.split('@')[0] ?? '';
  const cleaned = local
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'user' : cleaned;
}

/**
 * Candidate local parts for a technician, in order of preference. The second one is used when the
 * first is already taken by an account the service did not create for this technician (never take
 * over an account that is not ours).
 */
export function jitLocalPartCandidates(requesterUpn: string, requesterObjectId: string): [string, string] {
  const suffix = createHash('sha256').update(requesterObjectId).digest('hex').slice(0, 8);
  const room = MAX_LOCAL_PART - JIT_PREFIX.length;
  const alias = aliasFor(requesterUpn);
  const plain = `${JIT_PREFIX}${alias.slice(0, room).replace(/-+$/, '')}`;
  const hashed = `${JIT_PREFIX}${alias.slice(0, room - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
  return [plain, hashed];
}

export function jitUserPrincipalName(localPart: string, domain: string): string {
  return `${localPart}@${domain.toLowerCase()}`;
}

/** 16 hex characters (64 random bits): Graph's employeeId holds at most 16. */
export function newCreationMarker(): string {
  return randomBytes(8).toString('hex');
}

export function isJitUserPrincipalName(upn: string): boolean {
  return upn.toLowerCase().startsWith(JIT_PREFIX);
}
