import { randomUUID } from 'node:crypto';
import type { LeaseNotification, Notifier } from '../../app/ports';
import { signPayload } from '../../domain/webhookSignature';

/**
 * Lease notifications as a signed JSON POST, verifiable the same way our own webhook endpoint
 * verifies ticketing systems:
 *   X-Jit-Timestamp: <unix seconds>
 *   X-Jit-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
 *   X-Jit-Delivery:  <uuid, unique per delivery; receivers drop repeats>
 *   X-Jit-Event:     pending_approval | approved | denied | active | ending_soon | ended | revocation_failed
 * Body: `{ "type": "lease.<kind>", "deliveryId", "notification": { …LeaseNotification } }`.
 */
export const NOTIFY_TIMEOUT_MS = 5_000;

export class SignedWebhookNotifier implements Notifier {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async notify(notification: LeaseNotification): Promise<void> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({ type: `lease.${notification.kind}`, deliveryId, notification });
    const timestamp = String(Math.floor(Date.now() / 1000));
    await postJson(this.url, body, {
      'X-Jit-Timestamp': timestamp,
      'X-Jit-Signature': signPayload(this.secret, timestamp, body),
      'X-Jit-Delivery': deliveryId,
      'X-Jit-Event': notification.kind,
    });
  }
}

/** One POST with a timeout; a non-2xx answer is an error naming the status only (never the URL's query). */
export async function postJson(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`notification endpoint ${new URL(url).host} answered ${response.status}`);
}
