import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed webhooks, both ways (ticketing systems calling us, our notifications going out):
 *   X-Jit-Timestamp: <unix seconds>
 *   X-Jit-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * Signing the timestamp with the body makes a captured delivery useless after the tolerance.
 */
export const TIMESTAMP_HEADER = 'X-Jit-Timestamp';
export const SIGNATURE_HEADER = 'X-Jit-Signature';
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function signPayload(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
}

export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: string };

export function verifySignature(input: {
  readonly secret: string;
  readonly timestamp: string | null;
  readonly signature: string | null;
  readonly rawBody: string;
  readonly now: Date;
}): SignatureCheck {
  if (input.timestamp === null || !/^\d{1,12}$/.test(input.timestamp)) return { valid: false, reason: `${TIMESTAMP_HEADER} must be the signing time in unix seconds` };
  const skewMs = Math.abs(input.now.getTime() - Number(input.timestamp) * 1000);
  if (skewMs > SIGNATURE_TOLERANCE_MS) return { valid: false, reason: `${TIMESTAMP_HEADER} is more than 5 minutes away from the server's time` };
  if (input.signature === null || !/^sha256=[0-9a-fA-F]{64}$/.test(input.signature)) return { valid: false, reason: `${SIGNATURE_HEADER} must be sha256=<64 hex digits>` };
  const expected = Buffer.from(signPayload(input.secret, input.timestamp, input.rawBody).slice(7), 'hex');
  const given = Buffer.from(input.signature.slice(7), 'hex');
  return timingSafeEqual(expected, given) ? { valid: true } : { valid: false, reason: `${SIGNATURE_HEADER} does not match the body` };
}
