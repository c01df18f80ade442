import { createHash, randomBytes } from 'node:crypto';

/**
 * Users' interactive sign-ins in flight, kept in memory only (a restarted sandbox forgets them, and
 * the portal signs in again): the authorization requests waiting for the sign-in page, the codes
 * handed to the redirect URI and the refresh tokens issued for them. Codes and refresh tokens are
 * kept by their SHA-256 only, so `/_sandbox/state` or a heap dump shows none of them.
 */

/**
 * Entra's authorization codes "are short lived, typically they expire after about 10 minutes"
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Redeem a code").
 */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = 600;

/**
 * A refresh token sent to a `spa` redirect URI expires 24 hours after sign-in, and the refresh tokens
 * it buys carry the same expiry (https://learn.microsoft.com/entra/identity-platform/refresh-tokens).
 */
export const SPA_REFRESH_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** How long the sign-in page stays usable (Entra's login page expires its flow token similarly). */
const PENDING_SIGN_IN_LIFETIME_MS = 15 * 60_000;

export type ResponseMode = 'query' | 'fragment';

/** An accepted `GET /{tenant}/oauth2/v2.0/authorize`, waiting for the user to sign in. */
export interface AuthorizationRequest {
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  /** Every scope asked for, OIDC ones included. */
  readonly scopes: readonly string[];
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  /** base64url(SHA-256(code_verifier)) */
  readonly codeChallenge: string;
  readonly loginHint: string | undefined;
  /** `client_info=1`: MSAL asks for the account's uid/utid alongside the tokens. */
  readonly clientInfo: boolean;
  /** Authentication contexts asked by the `claims` parameter: the user verifies before the code. */
  readonly acrs: readonly string[];
}

export interface IssuedCode {
  readonly request: AuthorizationRequest;
  readonly userId: string;
  readonly expiresAtMs: number;
  redeemed: boolean;
  /** Authentication contexts the user satisfied in this sign-in (the tokens carry them as `acrs`). */
  readonly acrs: readonly string[];
}

export interface RefreshGrant {
  readonly tenantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly clientInfo: boolean;
  /** Fixed at the first sign-in: later refresh tokens carry the same expiry. */
  readonly expiresAtMs: number;
  /** When the user signed in: revoking their sign-in sessions after it kills the grant. */
  readonly issuedAtMs: number;
  /** Authentication contexts satisfied at that sign-in: the session keeps them, as Entra's does. */
  readonly acrs: readonly string[];
}

function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export class SignIns {
  private readonly pending = new Map<
    string,
    { request: AuthorizationRequest; expiresAtMs: number; identifiedUserId?: string }
  >();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();

  constructor(
    readonly codeLifetimeInSeconds = AUTHORIZATION_CODE_LIFETIME_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  clear(): void {
    this.pending.clear();
    this.codes.clear();
    this.refreshGrants.clear();
  }

  /** The id the sign-in page posts back (Entra's `ctx`/flow token): unguessable, used once. */
  startSignIn(request: AuthorizationRequest): string {
    this.prune();
    const id = opaque(24);
    this.pending.set(id, { request, expiresAtMs: this.now() + PENDING_SIGN_IN_LIFETIME_MS });
    return id;
  }

  /** The request behind a sign-in page, without consuming it (a wrong user name shows the page again). */
  pendingSignIn(id: string): AuthorizationRequest | undefined {
    this.prune();
    return this.pending.get(id)?.request;
  }

  /** The user named themselves, and the request asks for an authentication context: verification comes next. */
  identify(pendingId: string, userId: string): void {
    const entry = this.pending.get(pendingId);
    if (entry !== undefined) entry.identifiedUserId = userId;
  }

  /** Who named themselves on this pending sign-in and now verifies (undefined: nobody yet). */
  identifiedUser(pendingId: string): string | undefined {
    this.prune();
    return this.pending.get(pendingId)?.identifiedUserId;
  }

  /** The user signed in (and verified, when asked): the pending request becomes a one-time code. */
  issueCode(
    pendingId: string,
    userId: string,
    acrs: readonly string[] = [],
  ): { code: string; request: AuthorizationRequest } | undefined {
    const request = this.pendingSignIn(pendingId);
    if (request === undefined) return undefined;
    this.pending.delete(pendingId);
    const code = opaque(48);
    this.codes.set(digest(code), {
      request,
      userId,
      expiresAtMs: this.now() + this.codeLifetimeInSeconds * 1000,
      redeemed: false,
      acrs,
    });
    return { code, request };
  }

  /**
   * The code as issued, whatever its state: the caller tells unknown, expired and already redeemed
   * apart, as Entra's errors do. Redeemed codes are remembered until they would have expired.
   */
  findCode(code: string): { issued: IssuedCode; expired: boolean } | undefined {
    this.prune();
    const issued = this.codes.get(digest(code));
    if (issued === undefined) return undefined;
    return { issued, expired: this.now() >= issued.expiresAtMs };
  }

  issueRefreshToken(grant: RefreshGrant): string {
    const token = opaque(64);
    this.refreshGrants.set(digest(token), grant);
    return token;
  }

  /** Entra does not revoke a refresh token when it is used: it stays valid until its fixed expiry. */
  findRefreshToken(token: string): (RefreshGrant & { expired: boolean }) | undefined {
    const grant = this.refreshGrants.get(digest(token));
    if (grant === undefined) return undefined;
    return { ...grant, expired: this.now() >= grant.expiresAtMs };
  }

  refreshExpiryFromNow(): number {
    return this.now() + SPA_REFRESH_TOKEN_LIFETIME_SECONDS * 1000;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, p] of this.pending) if (now >= p.expiresAtMs) this.pending.delete(id);
    // Kept a while past expiry, so a late redemption is told "expired", not "unknown".
    for (const [id, c] of this.codes) if (now >= c.expiresAtMs + 3600_000) this.codes.delete(id);
    for (const [id, g] of this.refreshGrants) if (now >= g.expiresAtMs) this.refreshGrants.delete(id);
  }
}
