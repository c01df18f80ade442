import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { KeyMaterial } from './keys';

/** Access tokens issued by the sandbox's login endpoint and /_sandbox/tokens. */
export const TOKEN_LIFETIME_SECONDS = 3599;
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const VAULT_RESOURCE = 'https://vault.azure.net';
export const BOT_CONNECTOR_RESOURCE = 'https://api.botframework.com';

export function issuerFor(baseUrl: string, tenantId: string): string {
  return `${baseUrl}/${tenantId}/v2.0`;
}

/** The delegated scope the service's app registration exposes (infra/scripts/create-app-registration.sh). */
export const API_SCOPE = 'access_as_user';

/**
 * What Entra issues a user, for the service's app id: an access token for the API carries `scp`
 * (the delegated scopes granted) and `azp`/`azpacr` (the client); the ID token the same sign-in
 * returns has the same issuer, audience (the app id), user claims and app roles, but no `scp`, no
 * `azp` (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference and
 * access-token-claims-reference: `scp` "only included for user tokens", i.e. user access tokens).
 */
export type UserTokenType = 'access' | 'id';

export function userTokenClaims(type: UserTokenType, claims: JWTPayload, clientId: string): JWTPayload {
  if (type === 'id') return { ...claims };
  return { ...claims, scp: API_SCOPE, azp: clientId, azpacr: '0' };
}

export interface MintOptions {
  readonly claims: JWTPayload;
  readonly key: KeyMaterial;
  /** seconds from now; negative for an already expired token. */
  readonly expiresInSeconds: number;
  readonly notBeforeInSeconds?: number;
  readonly omitClaims?: readonly string[];
}

export async function mintToken(options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const nbf = now + (options.notBeforeInSeconds ?? 0);
  const payload: JWTPayload = {
    ...options.claims,
    iat: Math.min(now, nbf),
    nbf,
    exp: now + options.expiresInSeconds,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
  };
  for (const claim of options.omitClaims ?? []) delete payload[claim];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.key.kid })
    .sign(options.key.privateKey);
}

export type VerifyFailure = 'missing' | 'malformed' | 'signature' | 'expired' | 'notYetValid' | 'audience';

export type VerifyResult = { ok: true; claims: JWTPayload } | { ok: false; reason: VerifyFailure };

/** Reads `Authorization: Bearer …` and validates signature, lifetime and audience. */
export async function verifyBearer(
  authorization: string | undefined,
  key: KeyMaterial,
  audience: string,
): Promise<VerifyResult> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (token === undefined) return { ok: false, reason: 'missing' };
  try {
    const { payload } = await jwtVerify(token, key.publicKey, { algorithms: ['RS256'], clockTolerance: 0 });
    const aud = payload.aud;
    const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
    if (!audiences.includes(audience)) return { ok: false, reason: 'audience' };
    return { ok: true, claims: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf')
      return { ok: false, reason: 'notYetValid' };
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'signature' };
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'malformed' };
    throw error;
  }
}

export function stringClaim(claims: JWTPayload, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringArrayClaim(claims: JWTPayload, name: string): string[] {
  const value = claims[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
