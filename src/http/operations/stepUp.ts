import type { ApiResponse } from './operation';

/**
 * The 401 of an operation a target can guard with an authentication context (stepUp): besides a
 * missing or invalid token, the claims challenge of src/http/problem.ts.
 */
export const STEP_UP_UNAUTHORIZED: { readonly '401': ApiResponse } = {
  '401': {
    description:
      'No valid token, or the target asks for an authentication context (stepUp) the token does not show (`acrs`): the problem type is step-up-required, `authenticationContext` names it and `claims` repeats the challenge (a browser cannot read WWW-Authenticate across origins); ' +
      'WWW-Authenticate carries the claims challenge. Sign in again with its `claims` (MSAL: `claims` of acquireTokenRedirect/Popup, base64-decoded) and retry',
    schema: 'Problem',
    headers: [
      {
        name: 'WWW-Authenticate',
        description:
          'Bearer error="invalid_token", or for step-up Bearer realm="<home tenant>", authorization_uri="<authority>/<home tenant>/oauth2/v2.0/authorize", error="insufficient_claims", claims="<base64 of {"access_token":{"acrs":{"essential":true,"value":"c1"}}}>"',
        required: true,
      },
    ],
  },
};
