import { randomUUID } from 'node:crypto';
import type { App, Tenant } from './directory';
import type { SandboxRequest, SandboxResponse } from './http';
import { parseClaimsRequest } from './authenticationContexts';
import { errorPage, signedOutPage, signInPage, verifyPage } from './signInPage';
import type { AuthorizationRequest, ResponseMode } from './signIns';
import type { SandboxStore } from './store';
import { isScopeError, parseUserScopes } from './userScopes';

/**
 * Entra's interactive sign-in for a single-page app: `GET /{tenant}/oauth2/v2.0/authorize` (auth
 * code flow with PKCE), the sign-in page it shows, `POST /{tenant}/login` from that page, and
 * `GET /{tenant}/oauth2/v2.0/logout`. Protocol as in
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow: errors before the
 * redirect URI is known to be registered are shown on an error page (never sent to an unknown URI);
 * after that they go to the redirect URI as `error`, `error_description`, `state`.
 *
 * The sandbox keeps no sign-in session (no cookie): every interactive request shows the sign-in
 * page, and `prompt=none` always answers `login_required`, as Entra does for a browser with no session.
 */
const PROMPTS = new Set(['login', 'none', 'consent', 'select_account', 'create']);

/** S256 of a 32-byte digest, base64url without padding: always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

function isSpaRedirect(app: App, redirectUri: string): boolean {
  // Entra compares redirect URIs exactly (case and trailing slash included) for the SPA platform.
  return app.spaRedirectUris.includes(redirectUri);
}

function redirectOrigin(uri: string): string {
  return new URL(uri).origin;
}

function withParams(redirectUri: string, mode: ResponseMode, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
  const url = new URL(redirectUri);
  if (mode === 'fragment') {
    url.hash = search.toString();
    return url.toString();
  }
  for (const [k, v] of search) url.searchParams.set(k, v);
  return url.toString();
}

function redirect(location: string): SandboxResponse {
  return {
    status: 302,
    headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
  };
}

function errorTo(
  redirectUri: string,
  mode: ResponseMode,
  state: string | undefined,
  error: string,
  code: number,
  description: string,
): SandboxResponse {
  const traceId = randomUUID();
  return redirect(
    withParams(redirectUri, mode, {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      state,
    }),
  );
}

export function authorize(
  store: SandboxStore,
  req: SandboxRequest,
  tenantKey: string,
  tenant: Tenant | undefined,
): SandboxResponse {
  const q = req.query;
  if (tenant === undefined)
    return errorPage(
      400,
      90002,
      `Tenant '${tenantKey}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  const clientId = q.get('client_id');
  if (clientId === null || clientId === '')
    return errorPage(400, 900144, "The request body must contain the following parameter: 'client_id'.");
  const app = tenant.apps.find((a) => a.clientId === clientId);
  if (app === undefined)
    return errorPage(
      400,
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  const redirectUri = q.get('redirect_uri');
  if (redirectUri === null || redirectUri === '') return errorPage(400, 900971, 'No reply address provided.');
  if (!isSpaRedirect(app, redirectUri))
    return errorPage(
      400,
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    );
  const responseModeParam = q.get('response_mode') ?? 'query';
  if (responseModeParam !== 'query' && responseModeParam !== 'fragment')
    // form_post needs a self-submitting page (script); a SPA reads query or fragment.
    return errorPage(
      400,
      900144,
      `The sandbox supports response_mode 'query' and 'fragment' for single-page apps, not '${responseModeParam}'.`,
    );
  const mode: ResponseMode = responseModeParam;
  const state = q.get('state') ?? undefined;
  const fail = (error: string, code: number, description: string): SandboxResponse =>
    errorTo(redirectUri, mode, state, error, code, description);

  const responseType = q.get('response_type');
  if (responseType !== 'code')
    return fail(
      'unsupported_response_type',
      700054,
      `response_type '${responseType ?? ''}' is not enabled for the application. Single-page apps use the authorization code flow with PKCE.`,
    );
  const scopes = parseUserScopes(q.get('scope'), tenant.displayName);
  if (isScopeError(scopes)) return fail(scopes.error, scopes.code, scopes.description);
  const codeChallenge = q.get('code_challenge');
  if (codeChallenge === null || codeChallenge === '')
    return fail(
      'invalid_request',
      9002325,
      'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    );
  if ((q.get('code_challenge_method') ?? 'plain') !== 'S256')
    return fail(
      'invalid_request',
      501491,
      "The code_challenge_method must be 'S256' for a single-page application redirect URI.",
    );
  if (!S256_CHALLENGE.test(codeChallenge))
    return fail('invalid_request', 501491, 'Invalid size of Code_Challenge parameter.');
  const prompt = q.get('prompt');
  if (prompt !== null && !PROMPTS.has(prompt))
    return fail('invalid_request', 90023, `Invalid prompt value '${prompt}'.`);
  if (prompt === 'none')
    return fail('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.');

  const claimsRequest = parseClaimsRequest(q.get('claims'));
  if ('error' in claimsRequest) return fail('invalid_request', 90100, claimsRequest.error);

  const request: AuthorizationRequest = {
    tenantId: tenant.id,
    clientId: app.clientId,
    redirectUri,
    responseMode: mode,
    scopes: (q.get('scope') ?? '').split(/\s+/).filter((s) => s !== ''),
    state,
    nonce: q.get('nonce') ?? undefined,
    codeChallenge,
    loginHint: q.get('login_hint') ?? undefined,
    clientInfo: q.get('client_info') === '1',
    acrs: claimsRequest.acrs,
  };
  const pendingId = store.signIns.startSignIn(request);
  return signInPage({
    tenant,
    appName: app.displayName,
    pendingId,
    redirectOrigin: redirectOrigin(redirectUri),
    ...(request.loginHint === undefined ? {} : { userName: request.loginHint }),
  });
}

/** The sign-in page's form: the user name, and the pending request it answers. */
export function signIn(store: SandboxStore, req: SandboxRequest, tenant: Tenant | undefined): SandboxResponse {
  const form = new URLSearchParams(req.rawBody);
  const pendingId = form.get('ctx') ?? '';
  const request = store.signIns.pendingSignIn(pendingId);
  if (tenant === undefined || request === undefined || request.tenantId !== tenant.id)
    return errorPage(
      400,
      50196,
      'Your sign-in request has expired or is not valid. Go back to the application and sign in again.',
    );
  const userName = (form.get('login') ?? '').trim();
  const again = (error: string): SandboxResponse =>
    signInPage({
      tenant,
      appName: tenant.apps.find((a) => a.clientId === request.clientId)?.displayName ?? request.clientId,
      pendingId,
      redirectOrigin: redirectOrigin(request.redirectUri),
      userName,
      error,
    });
  if (userName === '') return again('Enter a user name.');
  const user = tenant.users.find((u) => u.userPrincipalName.toLowerCase() === userName.toLowerCase());
  if (user === undefined)
    return again(`AADSTS50034: The user account ${userName} does not exist in the ${tenant.displayName} directory.`);
  if (!user.accountEnabled)
    return again('AADSTS50057: The user account is disabled. The account has been disabled by an administrator.');
  if (request.acrs.length > 0) {
    // The claims request asks for an authentication context: its policy (MFA here) comes before the code.
    store.signIns.identify(pendingId, user.id);
    return verifyPage({
      tenant,
      pendingId,
      redirectOrigin: redirectOrigin(request.redirectUri),
      userName: user.userPrincipalName,
      authenticationContexts: request.acrs,
    });
  }
  return codeRedirect(store, pendingId, request, user.id, tenant.id, []);
}

/**
 * The "Verify your identity" step of a sign-in that asked for an authentication context: the user
 * approves (the sandbox's stand-in for an MFA prompt) and the code carries the contexts as `acrs`.
 */
export function verify(store: SandboxStore, req: SandboxRequest, tenant: Tenant | undefined): SandboxResponse {
  const form = new URLSearchParams(req.rawBody);
  const pendingId = form.get('ctx') ?? '';
  const request = store.signIns.pendingSignIn(pendingId);
  const userId = store.signIns.identifiedUser(pendingId);
  if (tenant === undefined || request === undefined || request.tenantId !== tenant.id || userId === undefined)
    return errorPage(
      400,
      50196,
      'Your sign-in request has expired or is not valid. Go back to the application and sign in again.',
    );
  return codeRedirect(store, pendingId, request, userId, tenant.id, request.acrs);
}

function codeRedirect(
  store: SandboxStore,
  pendingId: string,
  request: AuthorizationRequest,
  userId: string,
  tenantId: string,
  acrs: readonly string[],
): SandboxResponse {
  const issued = store.signIns.issueCode(pendingId, userId, acrs);
  if (issued === undefined)
    return errorPage(400, 50196, 'Your sign-in request has expired. Go back to the application and sign in again.');
  return redirect(
    withParams(request.redirectUri, request.responseMode, {
      code: issued.code,
      client_info: request.clientInfo ? clientInfo(userId, tenantId) : undefined,
      state: request.state,
    }),
  );
}

/** What MSAL reads the account's home id from: base64url JSON `{ uid, utid }`. */
export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url');
}

/**
 * Sign-out: the sandbox has no session to end; it sends the browser back to `post_logout_redirect_uri`
 * when that is a registered redirect URI of an app in the tenant (as Entra does), else shows "signed out".
 */
export function logout(req: SandboxRequest, tenant: Tenant | undefined): SandboxResponse {
  const target = req.query.get('post_logout_redirect_uri');
  if (tenant !== undefined && target !== null && tenant.apps.some((a) => isSpaRedirect(a, target))) {
    const state = req.query.get('state') ?? undefined;
    return redirect(withParams(target, 'query', { state }));
  }
  return signedOutPage();
}
