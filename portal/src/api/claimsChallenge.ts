/**
 * The claims challenge the API answers when a target asks for a stronger sign-in (step-up): a 401
 * whose WWW-Authenticate says `error="insufficient_claims"` and carries `claims`, base64 of the
 * claims request MSAL sends back to Entra
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge). Across origins the browser
 * hides WWW-Authenticate (the platform's CORS exposes no response header), so the problem body's
 * `claims` (type step-up-required) is read when the header is not.
 * Returns the decoded claims request (JSON text), or undefined for any other answer.
 */
export async function claimsRequestOf(response: Response): Promise<string | undefined> {
  if (response.status !== 401) return undefined;
  const header = response.headers.get('WWW-Authenticate') ?? '';
  const fromHeader = /\berror="insufficient_claims"/.test(header)
    ? /\bclaims="([A-Za-z0-9+/=_-]+)"/.exec(header)?.[1]
    : undefined;
  const encoded = fromHeader ?? (await claimsOfProblem(response));
  if (encoded === undefined) return undefined;
  try {
    return atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
}

async function claimsOfProblem(response: Response): Promise<string | undefined> {
  try {
    const problem: unknown = await response.clone().json();
    if (typeof problem !== 'object' || problem === null) return undefined;
    const { type, claims } = problem as { type?: unknown; claims?: unknown };
    if (typeof type !== 'string' || !type.endsWith('/step-up-required') || typeof claims !== 'string') return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
