import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningKey } from './directory';

/** The sandbox's token signing key in usable form: one RS256 key for every tenant, as a JWKS of one. */
export interface KeyMaterial {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  return { kid, privateJwk: { ...privateJwk } };
}

export async function loadKeyMaterial(signingKey: SigningKey): Promise<KeyMaterial> {
  const jwk = signingKey.privateJwk as JWK;
  const { n, e, kty } = jwk;
  const publicJwk: JWK = { kty, n, e, kid: signingKey.kid, use: 'sig', alg: 'RS256' };
  const privateKey = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
  const publicKey = await importJWK(publicJwk, 'RS256');
  if (!('type' in privateKey) || !('type' in publicKey)) throw new Error('expected CryptoKey instances for RS256');
  return { kid: signingKey.kid, privateKey, publicKey, publicJwk };
}

/** A key that no JWKS publishes, for tokens that must fail signature validation. */
export async function untrustedKeyMaterial(): Promise<KeyMaterial> {
  return loadKeyMaterial(await newSigningKey());
}
