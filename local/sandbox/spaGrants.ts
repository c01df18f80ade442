import { createHash, timingSafeEqual } from 'node:crypto';
import { clientInfo } from './authorize';
import type { Tenant, User } from './directory';
import { json, type SandboxRequest, type SandboxResponse } from './http';
import { entraError } from './entraError';
import type { SandboxStore } from './store';
import { mintToken, TOKEN_LIFETIME_SECONDS } from './tokens';
import { parseClaimsRequest } from './authenticationContexts';
import { userClaims } from './userClaims';
import { isScopeError, parseUserScopes, type UserScopes } from './userScopes';
import { spaOrigins } from './spaCors';

/**
 * The token endpoint's grants for a single-page app (a public client): `authorization_code` with
 * PKCE and `refresh_token`. As Entra: the request must be cross-origin from a SPA redirect URI's
 * origin (AADSTS9002327 without an Origin, AADSTS9002326 from any other origin), carries no client
 * secret (AADSTS700025), the code is used once (AADSTS54005), expires (AADSTS70008), is bound to its
 * redirect URI (AADSTS500112) and to the PKCE verifier (AADSTS50148); refresh tokens keep the
 * 24-hour expiry of the first sign-in (AADSTS700084) and die with the user's sessions
 * (revokeSignInSessions, AADSTS50173).
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow,
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
 */
type Grant = 'authorization_code' | 'refresh_token';

interface GrantContext {
  readonly store: SandboxStore;
  readonly req: SandboxRequest;
  readonly form: URLSearchParams;
  readonly tenant: Tenant;
  readonly correlationId: string | undefined;
}

function fail(ctx: GrantContext, error: string, code: number, description: string, status = 400): SandboxResponse {
  return entraError(status, error, code, description, ctx.correlationId);
}

function missing(ctx: GrantContext, parameter: string): SandboxResponse {
  return fail(ctx, 'invalid_request', 900144, `The request body must contain the following parameter: '${parameter}'.`);
}

function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** Checks shared by both grants: a known public client, redeemed cross-origin from one of its SPA origins. */
function checkPublicSpaClient(ctx: GrantContext): SandboxResponse | string {
  const clientId = ctx.form.get('client_id');
  if (clientId === null || clientId === '') return missing(ctx, 'client_id');
  const app = ctx.tenant.apps.find((a) => a.clientId === clientId);
  if (app === undefined)
    return fail(
      ctx,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant.displayName}'.`,
    );
  if (ctx.form.has('client_secret') || ctx.form.has('client_assertion') || ctx.req.headers.authorization !== undefined)
    return fail(
      ctx,
      'invalid_request',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    );
  const origin = ctx.req.headers.origin;
  if (origin === undefined)
    return fail(
      ctx,
      'invalid_request',
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    );
  if (!spaOrigins(ctx.tenant).has(origin))
    return fail(
      ctx,
      'invalid_request',
      9002326,
      `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`,
    );
  return clientId;
}

function userOf(ctx: GrantContext, userId: string): User | SandboxResponse {
  const user = ctx.tenant.users.find((u) => u.id === userId);
  if (user === undefined)
    return fail(ctx, 'invalid_grant', 50034, 'The user account does not exist in the directory anymore.');
  if (!user.accountEnabled)
    return fail(
      ctx,
      'invalid_grant',
      50057,
      'The user account is disabled. The account has been disabled by an administrator.',
    );
  return user;
}

export async function spaGrant(
  grant: Grant,
  store: SandboxStore,
  req: SandboxRequest,
  form: URLSearchParams,
  tenant: Tenant,
  correlationId: string | undefined,
): Promise<SandboxResponse> {
  const ctx: GrantContext = { store, req, form, tenant, correlationId };
  const clientId = checkPublicSpaClient(ctx);
  if (typeof clientId !== 'string') return clientId;
  return grant === 'authorization_code' ? redeemCode(ctx, clientId) : redeemRefreshToken(ctx, clientId);
}

async function redeemCode(ctx: GrantContext, clientId: string): Promise<SandboxResponse> {
  const code = ctx.form.get('code');
  if (code === null || code === '') return missing(ctx, 'code');
  const redirectUri = ctx.form.get('redirect_uri');
  if (redirectUri === null || redirectUri === '') return missing(ctx, 'redirect_uri');
  const found = ctx.store.signIns.findCode(code);
  if (found === undefined)
    return fail(ctx, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid.");
  const { issued, expired } = found;
  const { request } = issued;
  if (request.tenantId !== ctx.tenant.id)
    return fail(
      ctx,
      'invalid_grant',
      700005,
      'Provided Authorization Code is intended to use against other tenant, thus rejected.',
    );
  if (request.clientId !== clientId)
    return fail(ctx, 'invalid_grant', 70000, 'The provided authorization code was issued to a different client.');
  if (issued.redeemed)
    return fail(
      ctx,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    );
  if (expired)
    return fail(
      ctx,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    );
  if (redirectUri !== request.redirectUri)
    return fail(
      ctx,
      'invalid_grant',
      500112,
      `The reply address '${redirectUri}' does not match the reply address '${request.redirectUri}' provided when requesting Authorization code.`,
    );
  const verifier = ctx.form.get('code_verifier');
  if (verifier === null || verifier === '') return missing(ctx, 'code_verifier');
  if (!pkceMatches(verifier, request.codeChallenge))
    return fail(
      ctx,
      'invalid_grant',
      50148,
      'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
    );
  const user = userOf(ctx, issued.userId);
  if (!('userPrincipalName' in user)) return user;
  issued.redeemed = true;
  // The token request's scope may narrow what was asked at authorize; Entra issues for the request's.
  const scopes = parseUserScopes(ctx.form.get('scope') ?? request.scopes.join(' '), ctx.tenant.displayName);
  if (isScopeError(scopes)) return fail(ctx, scopes.error, scopes.code, scopes.description);
  return tokenResponse(ctx, user, clientId, scopes, {
    nonce: request.nonce,
    clientInfo: request.clientInfo,
    refreshExpiresAtMs: ctx.store.signIns.refreshExpiryFromNow(),
    acrs: issued.acrs,
  });
}

async function redeemRefreshToken(ctx: GrantContext, clientId: string): Promise<SandboxResponse> {
  const token = ctx.form.get('refresh_token');
  if (token === null || token === '') return missing(ctx, 'refresh_token');
  const grant = ctx.store.signIns.findRefreshToken(token);
  if (grant === undefined || grant.tenantId !== ctx.tenant.id)
    return fail(ctx, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
  if (grant.clientId !== clientId)
    return fail(ctx, 'invalid_grant', 70000, 'The provided refresh token was issued to a different client.');
  if (grant.expired)
    return fail(
      ctx,
      'invalid_grant',
      700084,
      'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.',
    );
  const user = userOf(ctx, grant.userId);
  if (!('userPrincipalName' in user)) return user;
  if (Date.parse(user.signInSessionsValidFromDateTime) > grant.issuedAtMs)
    return fail(
      ctx,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    );
  const scopes = parseUserScopes(ctx.form.get('scope') ?? grant.scopes.join(' '), ctx.tenant.displayName);
  if (isScopeError(scopes)) return fail(ctx, scopes.error, scopes.code, scopes.description);
  // A claims request for an authentication context the session has not met needs the user (MFA):
  // Entra answers interaction_required and the app signs in interactively with the same claims.
  const claimsRequest = parseClaimsRequest(ctx.form.get('claims'));
  if ('error' in claimsRequest) return fail(ctx, 'invalid_request', 90100, claimsRequest.error);
  if (claimsRequest.acrs.some((c) => !grant.acrs.includes(c)))
    return fail(
      ctx,
      'interaction_required',
      50076,
      'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.',
    );
  return tokenResponse(ctx, user, clientId, scopes, {
    nonce: undefined,
    clientInfo: grant.clientInfo || ctx.form.get('client_info') === '1',
    refreshExpiresAtMs: grant.expiresAtMs,
    refreshIssuedAtMs: grant.issuedAtMs,
    acrs: grant.acrs,
  });
}

async function tokenResponse(
  ctx: GrantContext,
  user: User,
  clientId: string,
  scopes: UserScopes,
  options: {
    nonce: string | undefined;
    clientInfo: boolean;
    refreshExpiresAtMs: number;
    refreshIssuedAtMs?: number;
    acrs: readonly string[];
  },
): Promise<SandboxResponse> {
  const { store, tenant } = ctx;
  const baseUrl = store.url;
  const accessClaims = userClaims(tenant, user, {
    type: 'access',
    baseUrl,
    audience: scopes.resource.audience,
    acrs: options.acrs,
  });
  accessClaims.scp = scopes.resource.scp;
  accessClaims.azp = clientId;
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: scopes.resource.requested.length > 0 ? scopes.resource.requested.join(' ') : scopes.resource.scp,
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: await mintToken({ claims: accessClaims, key: store.keys, expiresInSeconds: TOKEN_LIFETIME_SECONDS }),
  };
  const oidc = new Set(scopes.oidc.map((s) => s.toLowerCase()));
  if (oidc.has('openid')) {
    const idClaims = userClaims(tenant, user, { type: 'id', baseUrl, audience: clientId });
    if (options.nonce !== undefined) idClaims.nonce = options.nonce;
    body.id_token = await mintToken({ claims: idClaims, key: store.keys, expiresInSeconds: TOKEN_LIFETIME_SECONDS });
  }
  if (oidc.has('offline_access')) {
    body.refresh_token = store.signIns.issueRefreshToken({
      tenantId: tenant.id,
      clientId,
      userId: user.id,
      scopes: [...scopes.oidc, ...scopes.resource.requested],
      clientInfo: options.clientInfo,
      expiresAtMs: options.refreshExpiresAtMs,
      issuedAtMs: options.refreshIssuedAtMs ?? Date.now(),
      acrs: options.acrs,
    });
    body.refresh_token_expires_in = Math.max(0, Math.floor((options.refreshExpiresAtMs - Date.now()) / 1000));
  }
  if (options.clientInfo) body.client_info = clientInfo(user.id, tenant.id);
  return json(200, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}
