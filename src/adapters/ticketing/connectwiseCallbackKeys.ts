import type { CallbackKeySource } from '../../app/psa/connectwise';
import { TransientDependencyError } from '../../domain/errors';

/**
 * ConnectWise PSA callback signing keys, fetched from the `key_url` a callback names (already
 * checked to be on the integration's configured site) and cached, so a burst of callbacks costs one
 * fetch. No redirects are followed and the answer is bounded. A refresh (the signature did not
 * match the cached key: it may have rotated) is allowed once a minute per URL, and at most
 * MAX_FETCHES_PER_MINUTE fetches go out a minute whatever the URLs, so forged callbacks (each naming
 * a new key URL on the site) cannot turn into a stream of requests to the PSA. A key that has
 * verified a callback is kept ahead of those that never did: when the cache is full the oldest
 * unverified key goes first, so keys fetched for callbacks that failed cannot push out the key
 * genuine callbacks need (and turn each genuine callback into a fetch). The key never leaves this
 * object but as the return value: not in errors, not in logs.
 */
const KEY_TTL_MS = 10 * 60_000;
const MIN_REFRESH_INTERVAL_MS = 60_000;
const FETCH_TIMEOUT_MS = 10_000;
const MAX_KEY_RESPONSE_BYTES = 16 * 1024;
const MAX_CACHED_KEYS = 100;
const MAX_FETCHES_PER_MINUTE = 20;

interface CachedKey {
  readonly key: string | null;
  readonly fetchedAt: number;
  verified: boolean;
}

export class HttpCallbackKeySource implements CallbackKeySource {
  private readonly cache = new Map<string, CachedKey>();
  /** When the fetches of the last minute went out (oldest first). */
  private readonly recentFetches: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null> {
    const cacheKey = keyUrl.toString();
    const cached = this.cache.get(cacheKey);
    const age = cached === undefined ? Infinity : this.now() - cached.fetchedAt;
    if (cached !== undefined && age < KEY_TTL_MS && (!options.refresh || age < MIN_REFRESH_INTERVAL_MS)) return cached.key;
    const now = this.now();
    while (this.recentFetches.length > 0 && (this.recentFetches[0] ?? 0) <= now - 60_000) this.recentFetches.shift();
    if (this.recentFetches.length >= MAX_FETCHES_PER_MINUTE) {
      // ConnectWise retries a callback that fails: a genuine one gets through a minute later.
      throw new TransientDependencyError('too many ConnectWise callback keys asked for in the last minute; try again later');
    }
    this.recentFetches.push(now);
    const key = await this.fetchKey(keyUrl);
    this.cache.delete(cacheKey);
    if (this.cache.size >= MAX_CACHED_KEYS) this.evictOne();
    this.cache.set(cacheKey, { key, fetchedAt: this.now(), verified: cached?.verified === true && cached.key === key });
    return key;
  }

  markVerified(keyUrl: URL): void {
    const cached = this.cache.get(keyUrl.toString());
    if (cached !== undefined) cached.verified = true;
  }

  /** The oldest key that never verified a callback; only when every key has, the oldest of all. */
  private evictOne(): void {
    for (const [url, entry] of this.cache) {
      if (!entry.verified) {
        this.cache.delete(url);
        return;
      }
    }
    this.cache.delete(this.cache.keys().next().value ?? '');
  }

  private async fetchKey(keyUrl: URL): Promise<string | null> {
    let response: Response;
    try {
      response = await fetch(keyUrl, { method: 'GET', headers: { Accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch {
      throw new TransientDependencyError(`the ConnectWise callback key server ${keyUrl.host} cannot be reached`);
    }
    const bytes = await readBounded(response);
    if (response.status >= 500) throw new TransientDependencyError(`the ConnectWise callback key server ${keyUrl.host} answered ${response.status}`);
    if (response.status !== 200 || bytes === null) return null;
    try {
      const body = JSON.parse(bytes.toString('utf8')) as unknown;
      const key = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).signing_key : undefined;
      return typeof key === 'string' && key.length > 0 ? key : null;
    } catch {
      return null;
    }
  }
}

async function readBounded(response: Response): Promise<Buffer | null> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_KEY_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  try {
    const bytes = Buffer.from(await response.arrayBuffer());
    return bytes.length > MAX_KEY_RESPONSE_BYTES ? null : bytes;
  } catch {
    return null;
  }
}
