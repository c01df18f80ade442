import { createHash } from 'node:crypto';
import type { Tenant } from './directory';
import type { SandboxResponse } from './http';
import { APP_ROLES } from './seed';

/**
 * The sandbox's server-rendered pages (sign-in, errors, signed out): no script at all, and a CSP
 * that says so. The only inline style is allowed by its hash. `form-action` names the redirect URI's
 * origin too: browsers apply it to the redirect that follows the form post.
 */
const STYLE = `body{font-family:"Segoe UI",system-ui,sans-serif;margin:0;background:#f2f2f2;color:#1b1b1b}
main{max-width:440px;margin:48px auto;padding:32px 40px;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:600;margin:0 0 8px}label{display:block;margin:16px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:8px;font-size:1rem;border:1px solid #666}
button{margin-top:16px;padding:8px 24px;font-size:1rem;background:#0067b8;color:#fff;border:0}
button:focus-visible,input:focus-visible{outline:3px solid #000;outline-offset:2px}
[role=alert]{color:#a80000;font-weight:600}li{margin:4px 0}code{font-size:.95rem}
@media (prefers-color-scheme:dark){body{background:#1b1b1b;color:#f2f2f2}main{background:#2b2b2b}
input{background:#1b1b1b;color:#f2f2f2;border-color:#aaa}[role=alert]{color:#ff9a9a}}`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string, formTargets: readonly string[] = []): SandboxResponse {
  const formAction = ["'self'", ...formTargets].join(' ');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
  return {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    },
    body: html,
  };
}

function roleHint(appRoles: readonly string[]): string {
  if (appRoles.includes(APP_ROLES.admin)) return 'admin';
  if (appRoles.includes(APP_ROLES.approver)) return 'approver';
  return 'technician (no app role)';
}

export interface SignInPageOptions {
  readonly tenant: Tenant;
  readonly appName: string;
  /** The pending sign-in's id, posted back with the user name. */
  readonly pendingId: string;
  readonly redirectOrigin: string;
  readonly userName?: string;
  readonly error?: string;
}

/** A field labelled "User name", a "Sign in" button, and the tenant's users as hints (no password: a sandbox). */
export function signInPage(options: SignInPageOptions): SandboxResponse {
  const { tenant } = options;
  const users = tenant.users.filter((u) => u.accountEnabled && !u.protected);
  const hints = users
    .map(
      (u) =>
        `<li><code>${escapeHtml(u.userPrincipalName)}</code> ${escapeHtml(u.displayName)}, ${escapeHtml(roleHint(u.appRoles))}</li>`,
    )
    .join('');
  const options_ = users.map((u) => `<option value="${escapeHtml(u.userPrincipalName)}"></option>`).join('');
  const error =
    options.error === undefined ? '' : `<p role="alert" id="sign-in-error">${escapeHtml(options.error)}</p>`;
  const body = `<h1>Sign in</h1><p>to ${escapeHtml(options.appName)} in ${escapeHtml(tenant.displayName)} (Entra sandbox)</p>
<form method="post" action="/${escapeHtml(tenant.id)}/login">${error}
<input type="hidden" name="ctx" value="${escapeHtml(options.pendingId)}">
<label for="login">User name</label>
<input id="login" name="login" type="text" autocomplete="username" list="demo-users" required autofocus${
    options.error === undefined ? '' : ' aria-describedby="sign-in-error" aria-invalid="true"'
  } value="${escapeHtml(options.userName ?? '')}">
<datalist id="demo-users">${options_}</datalist>
<button type="submit">Sign in</button></form>
<h2>Demo users</h2><p>No password in the sandbox: type one of these user names.</p><ul>${hints}</ul>`;
  return page(200, 'Sign in to your account', body, [options.redirectOrigin]);
}

export interface VerifyPageOptions {
  readonly tenant: Tenant;
  readonly pendingId: string;
  readonly redirectOrigin: string;
  readonly userName: string;
  readonly authenticationContexts: readonly string[];
}

/**
 * The extra verification an authentication context's Conditional Access policy asks for (MFA in
 * Entra; one "Verify" button in the sandbox, which has no second factor to check).
 */
export function verifyPage(options: VerifyPageOptions): SandboxResponse {
  const contexts = options.authenticationContexts.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ');
  const body = `<h1>Verify your identity</h1><p>${escapeHtml(options.userName)}: this action needs a stronger sign-in (authentication context ${contexts}, multifactor authentication).</p>
<form method="post" action="/${escapeHtml(options.tenant.id)}/login/verify">
<input type="hidden" name="ctx" value="${escapeHtml(options.pendingId)}">
<button type="submit">Verify (MFA)</button></form>`;
  return page(200, 'Verify your identity', body, [options.redirectOrigin]);
}

/** An error Entra shows on its own page rather than sending to the app (no trusted redirect URI yet). */
export function errorPage(status: number, code: number, description: string): SandboxResponse {
  return page(
    status,
    'Sign in error',
    `<h1>Sorry, but we're having trouble signing you in.</h1><p role="alert">AADSTS${code}: ${escapeHtml(description)}</p>`,
  );
}

export function signedOutPage(): SandboxResponse {
  return page(200, 'Signed out', '<h1>You signed out of your account</h1><p>You can close this window.</p>');
}
