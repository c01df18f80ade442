import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CallbackKeySource } from '../../app/ports/callbackKeySource';
import { TransientDependencyError } from '../../domain/errors';
import { isPrivateHost } from '../../domain/networkAddress';

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

  constructor(
    private readonly now: () => number = Date.now,
    /** Local development only: the key server may be on loopback (the tests' stand-in for the PSA). */
    private readonly options: { readonly allowPrivateAddresses: boolean } = { allowPrivateAddresses: false },
  ) {}

  async getSigningKey(keyUrl: URL, options: { readonly refresh: boolean }): Promise<string | null> {
    const cacheKey = keyUrl.toString();
    const cached = this.cache.get(cacheKey);
    const age = cached === undefined ? Infinity : this.now() - cached.fetchedAt;
    if (cached !== undefined && age < KEY_TTL_MS && (!options.refresh || age < MIN_REFRESH_INTERVAL_MS))
      return cached.key;
    const now = this.now();
    while (this.recentFetches.length > 0 && (this.recentFetches[0] ?? 0) <= now - 60_000) this.recentFetches.shift();
    if (this.recentFetches.length >= MAX_FETCHES_PER_MINUTE) {
      // ConnectWise retries a callback that fails: a genuine one gets through a minute later.
      throw new TransientDependencyError(
        'too many ConnectWise callback keys asked for in the last minute; try again later',
      );
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

  /**
   * One GET, without redirects, bounded in time and size. Outside local development the key server
   * must be on a public address: a literal address is checked here, a host name as it resolves for
   * this very connection (so a name that resolves, or later re-resolves, to a private address is
   * refused: no DNS rebinding between a check and the connection).
   */
  private fetchKey(keyUrl: URL): Promise<string | null> {
    if (!this.options.allowPrivateAddresses && (keyUrl.protocol !== 'https:' || isPrivateHost(keyUrl.hostname)))
      return Promise.resolve(null);
    const unreachable = (): TransientDependencyError =>
      new TransientDependencyError(`the ConnectWise callback key server ${keyUrl.host} cannot be reached`);
    return new Promise<string | null>((resolve, reject) => {
      const send = keyUrl.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        keyUrl,
        {
          method: 'GET',
          headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
          ...(this.options.allowPrivateAddresses ? {} : { lookup: publicAddressLookup }),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 500) {
            response.resume();
            reject(
              new TransientDependencyError(`the ConnectWise callback key server ${keyUrl.host} answered ${status}`),
            );
            return;
          }
          if (status !== 200 || Number(response.headers['content-length'] ?? '0') > MAX_KEY_RESPONSE_BYTES) {
            response.destroy();
            resolve(null);
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_KEY_RESPONSE_BYTES) {
              response.destroy();
              resolve(null);
            } else chunks.push(chunk);
          });
          response.on('end', () => resolve(signingKeyOf(Buffer.concat(chunks))));
          response.on('error', () => resolve(null));
        },
      );
      request.on('error', (error) => (error instanceof PrivateAddressError ? resolve(null) : reject(unreachable())));
      request.end();
    });
  }
}

function signingKeyOf(bytes: Buffer): string | null {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as unknown;
    const key = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).signing_key : undefined;
    return typeof key === 'string' && key.length > 0 ? key : null;
  } catch {
    return null;
  }
}

class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
}

/** dns.lookup for the key server's connection, refusing loopback and private addresses. */
const publicAddressLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) {
      callback(error, '', 4);
      return;
    }
    const found = addresses;
    if (found.length === 0 || found.some((a) => isPrivateHost(a.address))) {
      callback(new PrivateAddressError(`${hostname} resolves to a loopback or private address`), '', 4);
      return;
    }
    if (options.all === true) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
    else callback(null, found[0]?.address ?? '', found[0]?.family ?? 4);
  });
};
