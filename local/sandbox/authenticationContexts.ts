import { z } from 'zod';

/**
 * Conditional Access authentication contexts, as the sandbox models them. An app asks for one with
 * a claims request at the authorize endpoint (`claims={"access_token":{"acrs":{"essential":true,
 * "value":"c1"}}}`, what an API's claims challenge hands it); after the user meets the context's
 * policy (in the sandbox: a "Verify your identity" step, standing in for a policy that requires
 * MFA) the access token carries `acrs: ["c1"]`
 * (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context,
 * https://learn.microsoft.com/entra/identity-platform/claims-challenge).
 *
 * Ids are `c1` through `c99` (https://learn.microsoft.com/graph/api/resources/authenticationcontextclassreference).
 */
export const authenticationContextIdSchema = z
  .string()
  .regex(/^c(?:[1-9]|[1-9][0-9])$/, 'an authentication context id, c1 through c99');

/**
 * Entra's v2.0 access tokens carry no `amr` (it is a v1.0 claim; MicrosoftDocs/azure-docs#46953,
 * "this claim has been removed in V2.0"), so the sandbox will not mint one: step-up is `acrs`.
 */
export const AMR_NOT_IN_ACCESS_TOKENS =
  'amr: Entra v2.0 access tokens carry no amr claim; ask for an authentication context instead (acrs, e.g. ["c1"] for a context whose policy requires MFA)';

/** An individual claim request (OpenID Connect Core 5.5.1): `value`, or `values` of which any one will do. */
const acrsRequestSchema = z
  .object({
    essential: z.boolean().optional(),
    value: z.string().optional(),
    values: z.array(z.string()).min(1).optional(),
  })
  .loose()
  .refine((r) => r.value !== undefined || r.values !== undefined);

/** The `claims` parameter: a JSON object; what matters here is `access_token.acrs` (MSAL adds `xms_cc`). */
const claimsRequestSchema = z
  .object({ access_token: z.object({ acrs: acrsRequestSchema.optional() }).loose().optional() })
  .loose();

export type ClaimsRequest = { readonly acrs: readonly string[] } | { readonly error: string };

/** The authentication contexts a `claims` parameter asks for (none when absent), or why it is refused. */
export function parseClaimsRequest(raw: string | null): ClaimsRequest {
  if (raw === null || raw === '') return { acrs: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: "The 'claims' parameter is not valid JSON." };
  }
  const parsed = claimsRequestSchema.safeParse(json);
  if (!parsed.success) return { error: "The 'claims' parameter is not a valid claims request." };
  const acrs = parsed.data.access_token?.acrs;
  if (acrs === undefined) return { acrs: [] };
  const values = acrs.values ?? (acrs.value === undefined ? [] : [acrs.value]);
  const unknown = values.filter((v) => !authenticationContextIdSchema.safeParse(v).success);
  if (unknown.length > 0)
    return { error: `The 'claims' parameter asks for unknown authentication context(s): ${unknown.join(', ')}.` };
  return { acrs: values };
}
