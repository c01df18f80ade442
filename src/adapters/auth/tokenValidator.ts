import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Caller } from '../../domain/caller';
import { TransientDependencyError, UnauthenticatedError } from '../../domain/errors';

/**
 * Validates callers' Entra access tokens in-app: signature against the home tenant's JWKS, issuer,
 * audience (the API's client id or its api:// URI), expiry and not-before with a small skew.
 * Only tokens of the home tenant are accepted: a customer tenant's user is not a technician.
 *
 * Only a user's access token for this API is accepted. An ID token issued to the same app id has the
 * same issuer, audience and signature, and carries the user's app roles: what tells it apart is the
 * `scp` claim, which Entra puts only in delegated (user) access tokens, listing the API's scopes the
 * client was granted. App-only tokens (client credentials) carry `roles` and no `scp`, and
 * `idtyp: app` where that optional claim is configured: they act for no user, so they are refused.
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference: `scp` "only
 * included for user tokens"; the API "should verify that these scopes are valid ones exposed by the
 * application".)
 */

/** The delegated scope the API's app registration exposes (infra/scripts/create-app-registration.sh). */
export const API_DELEGATED_SCOPE = 'access_as_user';

export interface TokenValidatorOptions {
  readonly authorityHost: string;
  readonly homeTenantId: string;
  readonly apiClientId: string;
  readonly clockSkewSeconds: number;
}

const claimsSchema = z.object({
  oid: z.uuid(),
  tid: z.uuid(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()).optional(),
  roles: z.array(z.string()).optional(),
  // A groups overage: more groups than fit (200 in a JWT), so Entra names where to read them.
  _claim_names: z.object({ groups: z.string().optional() }).loose().optional(),
  hasgroups: z.boolean().optional(),
  scp: z.string().optional(),
  idtyp: z.string().optional(),
  ver: z.string().optional(),
  // Conditional Access authentication contexts the user satisfied (step-up): see src/domain/stepUp.ts.
  acrs: z.array(z.string()).optional(),
});

/**
 * Validated tokens kept (by SHA-256, never the token itself) so that a caller's next calls with the
 * same token skip the signature check and claim parsing. A token's claims cannot change, so what
 * was true of it stays true until it expires, and expiry is checked again on every call. The
 * signing keys are cached the same way already (jose's remote JWKS, below). Bounded: past the limit
 * the expired entries go, then the oldest.
 */
export const VALIDATED_TOKENS_MAX = 10_000;

interface ValidatedToken {
  readonly caller: Caller;
  /** `exp` plus the allowed clock skew, in seconds since the epoch: refused from this second on. */
  readonly refusedFromSecond: number;
}

export class TokenValidator {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly validated = new Map<string, ValidatedToken>();
  private readonly issuer: string;
  private readonly audiences: string[];

  constructor(private readonly options: TokenValidatorOptions) {
    const authority = options.authorityHost.replace(/\/+$/, '');
    this.issuer = `${authority}/${options.homeTenantId}/v2.0`;
    this.jwks = createRemoteJWKSet(new URL(`${authority}/${options.homeTenantId}/discovery/v2.0/keys`), {
      cooldownDuration: 30_000,
      cacheMaxAge: 24 * 3600_000,
    });
    this.audiences = [options.apiClientId, `api://${options.apiClientId}`];
  }

  async validate(authorization: string | null): Promise<Caller> {
    if (authorization === null || authorization.trim() === '') {
      throw new UnauthenticatedError('missing Authorization header: send "Authorization: Bearer <Entra access token>"');
    }
    const match = /^Bearer\s+([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)\s*$/i.exec(authorization);
    if (match === null || match[1] === undefined)
      throw new UnauthenticatedError('the Authorization header must be "Bearer <JWT>"');
    const jwt = match[1];
    const key = createHash('sha256').update(jwt).digest('base64url');
    const known = this.validated.get(key);
    if (known !== undefined) {
      // jose's own rule: expired when exp <= now - tolerance, now in whole seconds.
      if (Math.floor(Date.now() / 1000) < known.refusedFromSecond) return known.caller;
      this.validated.delete(key);
    }
    const { caller, exp } = await this.verify(jwt);
    this.remember(key, { caller, refusedFromSecond: exp + this.options.clockSkewSeconds });
    return caller;
  }

  private remember(key: string, token: ValidatedToken): void {
    if (this.validated.size >= VALIDATED_TOKENS_MAX) {
      const nowSecond = Math.floor(Date.now() / 1000);
      for (const [k, v] of this.validated) if (v.refusedFromSecond <= nowSecond) this.validated.delete(k);
      const oldest = this.validated.keys().next();
      if (this.validated.size >= VALIDATED_TOKENS_MAX && oldest.done !== true) this.validated.delete(oldest.value);
    }
    this.validated.set(key, token);
  }

  private async verify(jwt: string): Promise<{ caller: Caller; exp: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, this.jwks, {
        issuer: this.issuer,
        audience: this.audiences,
        algorithms: ['RS256'],
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'iat', 'oid', 'tid'],
      }));
    } catch (error) {
      // A JWKS endpoint that cannot be reached is our problem, not the caller's token.
      if (!(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSTimeout) {
        throw new TransientDependencyError('the signing keys of the home tenant could not be fetched; try again');
      }
      throw new UnauthenticatedError(describeJoseError(error));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthenticatedError('the token lacks a valid oid or tid claim');
    if (claims.data.tid !== this.options.homeTenantId)
      throw new UnauthenticatedError('the token was not issued by the home tenant');
    if (claims.data.idtyp !== undefined && claims.data.idtyp !== 'user') {
      throw new UnauthenticatedError(
        `an app-only token (idtyp ${claims.data.idtyp}) cannot call this API: send a user's access token for scope ${API_DELEGATED_SCOPE}`,
      );
    }
    if (claims.data.ver !== '2.0') throw new UnauthenticatedError('the token is not a v2.0 access token (ver)');
    if (!(claims.data.scp ?? '').split(' ').includes(API_DELEGATED_SCOPE)) {
      throw new UnauthenticatedError(
        `the token is not a user's access token for this API: it lacks the ${API_DELEGATED_SCOPE} scope (scp). An ID token or an app-only token cannot call this API; ask Entra for an access token for api://<client id>/${API_DELEGATED_SCOPE}`,
      );
    }
    const upn = claims.data.preferred_username ?? claims.data.upn;
    if (upn === undefined) throw new UnauthenticatedError('the token has no preferred_username or upn claim');
    // jwtVerify required `exp` above.
    const exp = payload.exp ?? 0;
    const caller: Caller = {
      objectId: claims.data.oid,
      tenantId: claims.data.tid,
      userPrincipalName: upn,
      displayName: claims.data.name,
      groups: claims.data.groups ?? [],
      ...(claims.data.groups === undefined &&
      (claims.data._claim_names?.groups !== undefined || claims.data.hasgroups === true)
        ? { groupsOverage: true }
        : {}),
      roles: claims.data.roles ?? [],
      authenticationContexts: claims.data.acrs ?? [],
    };
    return { caller: deepFrozen(caller), exp };
  }
}

/** Every call with the same token shares this caller: nobody may change it. */
function deepFrozen<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) Object.freeze(child);
  return Object.freeze(value);
}

/** A reason the caller can act on, without echoing the token. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (error.claim === 'iss') return 'the token was not issued by the home tenant';
    if (error.claim === 'aud') return 'the token is not for this API (audience)';
    return `the token's ${error.claim} claim is not valid`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'the token signature does not verify against the home tenant keys';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is not signed with RS256';
  return 'the token is not a valid JWT';
}
