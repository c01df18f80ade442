import { createHash, randomBytes } from 'node:crypto';
import { HOME_TENANT_ID, SERVICE_APP } from '../../../local/sandbox/seed';

/**
 * A browser's side of the SPA sign-in against the sandbox, with node's fetch: what MSAL.js does
 * (authorize with PKCE, the sign-in page's form, the code from the redirect, the token request with
 * the page's Origin). Each step is its own function so tests can break one on purpose.
 */
export const API_SCOPE_URI = `api://${SERVICE_APP.clientId}/access_as_user`;
export const SPA_SCOPES = `${API_SCOPE_URI} openid profile offline_access`;

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  readonly sandboxUrl: string;
  readonly redirectUri: string;
  readonly tenant?: string;
  readonly clientId?: string;
  readonly scope?: string;
  readonly pkce?: Pkce;
  readonly state?: string;
  readonly nonce?: string;
  readonly prompt?: string;
  readonly responseMode?: string;
  /** Extra or overriding query parameters; undefined removes one. */
  readonly params?: Record<string, string | undefined>;
}

export function authorizeUrl(options: AuthorizeOptions): string {
  const params: Record<string, string | undefined> = {
    client_id: options.clientId ?? SERVICE_APP.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope ?? SPA_SCOPES,
    state: options.state ?? 'state-123',
    nonce: options.nonce ?? 'nonce-456',
    code_challenge: (options.pkce ?? newPkce()).challenge,
    code_challenge_method: 'S256',
    response_mode: options.responseMode ?? 'fragment',
    client_info: '1',
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
    ...options.params,
  };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return `${options.sandboxUrl}/${options.tenant ?? HOME_TENANT_ID}/oauth2/v2.0/authorize?${query.toString()}`;
}

export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  readonly location: string | null;
}

export async function getPage(url: string): Promise<PageResponse> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, html: await res.text(), location: res.headers.get('location') };
}

/** The sign-in page's form post, as the browser sends it. */
export async function submitSignIn(sandboxUrl: string, page: PageResponse, userName: string): Promise<PageResponse> {
  const action = /<form method="post" action="([^"]+)"/.exec(page.html)?.[1];
  const ctx = /name="ctx" value="([^"]+)"/.exec(page.html)?.[1];
  if (action === undefined || ctx === undefined) throw new Error(`not a sign-in page: ${page.html.slice(0, 300)}`);
  const res = await fetch(`${sandboxUrl}${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: sandboxUrl },
    body: new URLSearchParams({ ctx, login: userName }).toString(),
  });
  return { status: res.status, headers: res.headers, html: await res.text(), location: res.headers.get('location') };
}

/** The parameters the redirect URI receives (fragment or query). */
export function redirectParams(location: string): URLSearchParams {
  const url = new URL(location);
  return new URLSearchParams(url.hash !== '' ? url.hash.slice(1) : url.search);
}

export interface TokenCall {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export async function tokenRequest(
  sandboxUrl: string,
  form: Record<string, string>,
  options: { origin?: string; tenant?: string } = {},
): Promise<TokenCall> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (options.origin !== undefined) headers.Origin = options.origin;
  const res = await fetch(`${sandboxUrl}/${options.tenant ?? HOME_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Authorize, sign in as `userName`, and return the code (and what came with it). */
export async function signInForCode(
  options: AuthorizeOptions & { userName: string },
): Promise<{ code: string; params: URLSearchParams }> {
  const page = await getPage(authorizeUrl(options));
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${page.html.slice(0, 300)}`);
  const signedIn = await submitSignIn(options.sandboxUrl, page, options.userName);
  if (signedIn.location === null) throw new Error(`sign-in did not redirect: ${signedIn.html.slice(0, 300)}`);
  const params = redirectParams(signedIn.location);
  const code = params.get('code');
  if (code === null) throw new Error(`no code in the redirect: ${signedIn.location}`);
  return { code, params };
}

/** The whole dance: the tokens a SPA at `origin` gets for `userName`. */
export async function spaTokens(options: {
  sandboxUrl: string;
  redirectUri: string;
  userName: string;
}): Promise<{ access_token: string; id_token: string; refresh_token: string }> {
  const pkce = newPkce();
  const { code } = await signInForCode({ ...options, pkce });
  const res = await tokenRequest(
    options.sandboxUrl,
    {
      client_id: SERVICE_APP.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      code_verifier: pkce.verifier,
      scope: SPA_SCOPES,
    },
    { origin: new URL(options.redirectUri).origin },
  );
  if (res.status !== 200) throw new Error(`token request answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; id_token: string; refresh_token: string };
}
