import { z } from 'zod';
import type { Caller } from './caller';
import { JitError } from './errors';

/**
 * Step-up at activation: a target can require that the caller's access token shows a Conditional
 * Access authentication context (the `acrs` claim), e.g. `c1` bound in Entra to a policy that
 * requires MFA. Entra puts `acrs` in an access token only after the user satisfied the policy of
 * that context; a token without it gets a claims challenge the client answers with a claims request
 * (https://learn.microsoft.com/entra/identity-platform/developer-guide-conditional-access-authentication-context,
 * https://learn.microsoft.com/entra/identity-platform/claims-challenge).
 *
 * There is no "amr contains mfa" check: Entra's v2.0 access tokens (the only ones this API accepts)
 * carry no `amr` claim (it is a v1.0 claim; MicrosoftDocs/azure-docs#46953), so MFA is asked for
 * as an authentication context whose Conditional Access policy requires MFA.
 */

/** Entra's authentication context ids: `c1` through `c99` (Graph authenticationContextClassReference). */
export const authenticationContextSchema = z
  .string()
  .regex(/^c(?:[1-9]|[1-9][0-9])$/, 'an authentication context id, c1 through c99');
export type AuthenticationContext = z.infer<typeof authenticationContextSchema>;

export const stepUpPolicySchema = z.strictObject({
  /** Required of the requester to request access and to reveal the credential. */
  authenticationContext: authenticationContextSchema.optional(),
  /** Required of an approver to approve (denying needs none: it grants nothing). */
  approverAuthenticationContext: authenticationContextSchema.optional(),
});
export type StepUpPolicy = z.infer<typeof stepUpPolicySchema>;

/** The caller's token lacks the authentication context the action needs: answered with a claims challenge. */
export class StepUpRequiredError extends JitError {
  override readonly name = 'StepUpRequiredError';
  readonly kind = 'step-up-required';
  constructor(
    readonly authenticationContext: AuthenticationContext,
    action: string,
  ) {
    super(
      `${action} needs authentication context ${authenticationContext}: sign in again with the claims request in the WWW-Authenticate header (error insufficient_claims) and retry`,
    );
  }
}

/** Throws StepUpRequiredError when `required` is set and the caller's token does not show it. */
export function requireAuthenticationContext(
  caller: Pick<Caller, 'authenticationContexts'>,
  required: AuthenticationContext | undefined,
  action: string,
): void {
  if (required === undefined) return;
  if ((caller.authenticationContexts ?? []).includes(required)) return;
  throw new StepUpRequiredError(required, action);
}

/**
 * The `claims` of the challenge: base64 of the claims request for an essential `acrs` value, as
 * Entra documents it (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`).
 */
export function claimsRequestFor(authenticationContext: AuthenticationContext): string {
  const request = { access_token: { acrs: { essential: true, value: authenticationContext } } };
  return Buffer.from(JSON.stringify(request)).toString('base64');
}
