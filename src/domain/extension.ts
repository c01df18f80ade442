import { durationMs } from './duration';

/**
 * An extension adds `duration` to the current expiry; the lease's total length, counted from
 * activation, may never exceed the policy's maximum (the target's maxDuration, or a matching
 * rule's tighter cap). Pure: the caller supplies the times.
 */
export type ExtensionCheck =
  | { readonly allowed: true; readonly expiresAt: string }
  | {
      readonly allowed: false;
      readonly reason: string;
      readonly latestExpiry: string;
      readonly maxTotalDuration: string;
    };

export function checkExtension(
  lease: { readonly activatedAt: string; readonly expiresAt: string },
  duration: string,
  maxTotalDuration: string,
): ExtensionCheck {
  const newExpiry = Date.parse(lease.expiresAt) + durationMs(duration);
  const latest = Date.parse(lease.activatedAt) + durationMs(maxTotalDuration);
  if (newExpiry > latest) {
    const latestExpiry = new Date(latest).toISOString();
    return {
      allowed: false,
      reason: `would end the lease at ${new Date(newExpiry).toISOString()}, past the policy's maximum total lease of ${maxTotalDuration} from activation (${latestExpiry})`,
      latestExpiry,
      maxTotalDuration,
    };
  }
  return { allowed: true, expiresAt: new Date(newExpiry).toISOString() };
}
