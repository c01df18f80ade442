import { timingSafeEqual, createHash } from 'node:crypto';
import { TransientDependencyError } from '../domain/errors';
import type { Integration, SecretVault } from './ports';

/**
 * Integration secrets as deliveries need them: read from Key Vault and kept a short while, so a
 * burst of deliveries (or of forged ones, which must be checked against the secret too) costs one
 * Key Vault read, not one each. A rotation writes the new secret under a new name, so a cached
 * value is never one a rotation replaced; `drop` also forgets it at once in this process.
 */
const SECRET_TTL_MS = 30_000;
const MAX_CACHED_SECRETS = 1_000;

interface Cached {
  readonly value: Promise<string | null>;
  readonly readAt: number;
}

export class IntegrationSecretCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The secret by name; concurrent deliveries share one read. A failed read is not kept. */
  get(vault: Pick<SecretVault, 'getIntegrationSecret'>, secretName: string): Promise<string | null> {
    const cached = this.entries.get(secretName);
    if (cached !== undefined && this.now() - cached.readAt < SECRET_TTL_MS) return cached.value;
    if (this.entries.size >= MAX_CACHED_SECRETS) this.entries.delete(this.entries.keys().next().value ?? '');
    const value = vault.getIntegrationSecret(secretName);
    this.entries.set(secretName, { value, readAt: this.now() });
    value.catch(() => this.entries.delete(secretName));
    return value;
  }

  drop(secretName: string): void {
    this.entries.delete(secretName);
  }
}

/** One cache per process: the webhook receiver reads through it, rotation and deletion drop from it. */
export const integrationSecretCache = new IntegrationSecretCache();

/**
 * The secrets a delivery may be authenticated with right now: the current one, and the one the
 * last rotation replaced while its overlap window lasts. Throws when Key Vault cannot give the
 * current one (a 503 the sender retries).
 */
export async function acceptedSecretsOf(
  vault: Pick<SecretVault, 'getIntegrationSecret'>,
  integration: Integration,
  now: Date,
  cache: IntegrationSecretCache = integrationSecretCache,
): Promise<string[]> {
  const currentName = integration.secretName;
  if (currentName === undefined) return [];
  const current = await cache.get(vault, currentName);
  if (current === null)
    throw new TransientDependencyError(`the secret of integration ${integration.integrationId} cannot be read`);
  const previous = integration.previousSecret;
  if (previous === undefined || Date.parse(previous.validUntil) <= now.getTime()) return [current];
  const old = await cache.get(vault, previous.secretName);
  return old === null ? [current] : [current, old];
}

/** Constant-time comparison of a presented secret with an expected one, through their digests (no length leak). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
