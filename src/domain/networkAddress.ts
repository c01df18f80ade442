import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Loopback, private, link-local and shared (CGNAT) addresses: a PSA site is on the internet, so an
 * address in these ranges can only be an attempt to make the service fetch from its own network
 * (SSRF). Allowed only for local development, where the test key server runs on loopback.
 */
const PRIVATE_ADDRESSES = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ] as const)
    list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
  ] as const)
    list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** Whether a host name or address literal (as URL.hostname gives it) is loopback or private. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIPv4(host)) return PRIVATE_ADDRESSES.check(host, 'ipv4');
  if (isIPv6(host)) {
    const mapped =
      /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ??
      /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/
        .exec(host)
        ?.slice(1)
        .map((h) => parseInt(h, 16))
        .map((n) => `${n >> 8}.${n & 255}`)
        .join('.');
    if (mapped !== undefined) return PRIVATE_ADDRESSES.check(mapped, 'ipv4');
    return PRIVATE_ADDRESSES.check(host, 'ipv6');
  }
  return false;
}
