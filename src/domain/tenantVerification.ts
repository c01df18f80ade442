import { z } from 'zod';

/**
 * The result of verifying a connected tenant: named checks, each with what to do about a failure.
 * Kept on the tenant's row (src/adapters/tables/configStore.ts) and shown by the API.
 */
export const verificationCheckNameSchema = z.enum([
  'signIn',
  'permissions',
  'jitDomain',
  'readRoleDefinitions',
  'readUsers',
  'readMemberships',
  'passwordResetRole',
  'temporaryAccessPassPolicy',
  'readAuthenticationMethods',
]);
export type VerificationCheckName = z.infer<typeof verificationCheckNameSchema>;

export const verificationCheckSchema = z.strictObject({
  name: verificationCheckNameSchema,
  ok: z.boolean(),
  detail: z.string(),
  /** What to do about a failure; null when the check passed. */
  fix: z.string().nullable(),
  /** The fix in the portal's words (its buttons instead of API calls), where they differ from `fix`. */
  portalFix: z.string().optional(),
  /** Not run because this earlier check failed: fixing that one is the fix. */
  blockedBy: verificationCheckNameSchema.optional(),
});
export type VerificationCheck = z.infer<typeof verificationCheckSchema>;

export const verificationSchema = z.strictObject({
  tenantId: z.uuid(),
  ok: z.boolean(),
  checkedAt: z.iso.datetime(),
  checks: z.array(verificationCheckSchema),
});
export type Verification = z.infer<typeof verificationSchema>;
