import type { CallbackKeySource } from '../../app/psa/connectwise';
import { TransientDependencyError } from '../../domain/errors';

/**
 * ConnectWise PSA callback signing keys, fetched from the `key_url` a callback names (already
 * checked to be on the integration's configured site) and cached, so a burst of callbacks costs one
 * fetch. No redirects are followed and the answer is bounded. A refresh (the signature did not
 * match the cached key: it may have rotated) is allowed once a minute per URL, so forged callbacks
 * cannot turn into a stream of requests to the PSA. The key never leaves this object but as the
 * return value: not in errors, not in logs.
 */
const KEY_TTL_MS = 10 * 60_000;
const MIN_REFRESH_INTERVAL_MS = 60_000;
const FETCH_TIMEOUT_MS = 10_000;
const MAX_KEY_RESPONSE_BYTES = 16 * 1024;
const MAX_CACHED_KEYS = 100;

interface CachedKey {
  readonly key: string | null;
  readonly fetchedAt: number;
}

export class HttpCallbackKeySource implements CallbackKeySource {
  private readonly cache = new Map<string, CachedKey>();

  constructor(private readonly now: () => number = Date.now) {}

  async getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null> {
    const cacheKey = keyUrl.toString();
    const cached = this.cache.get(cacheKey);
    const age = cached === undefined ? Infinity : this.now() - cached.fetchedAt;
    if (cached !== undefined && age < KEY_TTL_MS && (!options.refresh || age < MIN_REFRESH_INTERVAL_MS)) return cached.key;
    const key = await this.fetchKey(keyUrl);
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value ?? '');
    this.cache.set(cacheKey, { key, fetchedAt: this.now() });
    return key;
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
