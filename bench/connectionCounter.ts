import { subscribe } from 'node:diagnostics_channel';
import tls from 'node:tls';

/**
 * Counts the connections this process opens: plain TCP (Node's `net.client.socket` diagnostics
 * channel, which `tls.connect` does not publish to) and TLS (`tls.connect` wrapped; `https.Agent`
 * looks it up on the module at each connection, so the wrapper sees every HTTPS connection).
 * Used by `npm run bench:roundtrip`, and by `bench/countConnections.ts` as a preload for any run.
 */
export interface ConnectionCounts {
  readonly plain: number;
  readonly tls: number;
  /** TLS connections by `host:port`. */
  readonly tlsByHost: Readonly<Record<string, number>>;
  /** TLS connections by who opened them: Node's `https.Agent` (the Azure SDKs) or `fetch` (undici: the Graph client). */
  readonly tlsByOpener: Readonly<Record<string, number>>;
}

const counts = { plain: 0, tls: 0, tlsByHost: new Map<string, number>(), tlsByOpener: new Map<string, number>() };
let installed = false;

export function countConnections(): void {
  if (installed) return;
  installed = true;
  subscribe('net.client.socket', () => {
    counts.plain++;
  });
  const connect = tls.connect;
  const wrapped = function (this: unknown, ...args: unknown[]): tls.TLSSocket {
    counts.tls++;
    const host = hostOf(args);
    counts.tlsByHost.set(host, (counts.tlsByHost.get(host) ?? 0) + 1);
    const opener = (new Error().stack ?? '').includes('_http_agent') ? 'https.Agent' : 'fetch';
    counts.tlsByOpener.set(opener, (counts.tlsByOpener.get(opener) ?? 0) + 1);
    return (connect as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  (tls as { connect: unknown }).connect = wrapped;
}

export function connectionCounts(): ConnectionCounts {
  return {
    plain: counts.plain,
    tls: counts.tls,
    tlsByHost: Object.fromEntries(counts.tlsByHost),
    tlsByOpener: Object.fromEntries(counts.tlsByOpener),
  };
}

function hostOf(args: readonly unknown[]): string {
  const options = args.find((a): a is { host?: unknown; port?: unknown } => typeof a === 'object' && a !== null);
  const port = typeof args[0] === 'number' ? args[0] : options?.port;
  const host = typeof args[1] === 'string' ? args[1] : options?.host;
  return `${typeof host === 'string' ? host : '?'}:${typeof port === 'number' || typeof port === 'string' ? port : '?'}`;
}
