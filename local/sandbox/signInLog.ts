import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Tenant, User } from './directory';

/**
 * The tenant's sign-in log as `GET /auditLogs/signIns` reads it (graph/signInLogs.ts), with the
 * fields of Graph's signIn resource that the service reads
 * (https://learn.microsoft.com/graph/api/resources/signin). The sandbox writes an entry for every
 * `/_sandbox/signin` (a user signing in with a password or a Temporary Access Pass) and tests may
 * seed more through `POST /_sandbox/tenants/{tenant}/signIns`.
 */
export const signInEntrySchema = z.object({
  id: z.string(),
  createdDateTime: z.iso.datetime(),
  userId: z.string(),
  userPrincipalName: z.string(),
  userDisplayName: z.string().nullable().default(null),
  appDisplayName: z.string().default('Entra sandbox sign-in'),
  appId: z.string().default('00000000-0000-0000-0000-000000000000'),
  ipAddress: z.string().default('127.0.0.1'),
  clientAppUsed: z.string().default('Browser'),
  /** 0 is success; 50126 wrong password, 50057 account disabled (Entra's AADSTS codes). */
  status: z
    .object({
      errorCode: z.number().int(),
      failureReason: z.string().nullable().default(null),
      additionalDetails: z.string().nullable().default(null),
    })
    .default({ errorCode: 0, failureReason: null, additionalDetails: null }),
  conditionalAccessStatus: z.enum(['success', 'failure', 'notApplied', 'unknownFutureValue']).default('notApplied'),
  location: z
    .object({
      city: z.string().nullable().default(null),
      state: z.string().nullable().default(null),
      countryOrRegion: z.string().nullable().default(null),
    })
    .default({ city: null, state: null, countryOrRegion: null }),
});
export type SignInEntry = z.infer<typeof signInEntrySchema>;

/** What a test may seed: the user by id or UPN; everything else as Graph would show it. */
export const seedSignInsBodySchema = z.strictObject({
  value: z
    .array(
      signInEntrySchema
        .omit({ id: true, userId: true, userPrincipalName: true })
        .extend({ user: z.string().min(1) })
        .strict(),
    )
    .min(1)
    .max(1000),
});

const FAILURES: Readonly<Record<'invalid_credentials' | 'account_disabled', { code: number; reason: string }>> = {
  invalid_credentials: { code: 50126, reason: 'Error validating credentials due to invalid username or password.' },
  account_disabled: { code: 50057, reason: 'The user account is disabled.' },
};

/** Appends one sign-in (never the password tried) to the tenant's log. */
export function recordSignIn(tenant: Tenant, user: User, at: Date, outcome: 'success' | keyof typeof FAILURES): void {
  const failure = outcome === 'success' ? null : FAILURES[outcome];
  tenant.signIns.push(
    signInEntrySchema.parse({
      id: randomUUID(),
      createdDateTime: at.toISOString(),
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      userDisplayName: user.displayName ?? null,
      status: { errorCode: failure?.code ?? 0, failureReason: failure?.reason ?? null },
    }),
  );
}
