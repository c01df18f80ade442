import type { LeaseNotification, Notifier } from '../../app/ports';
import type { Settings } from '../../settings';
import { SignedWebhookNotifier } from './signedWebhookNotifier';
import { TeamsNotifier } from './teamsNotifier';

export { SignedWebhookNotifier } from './signedWebhookNotifier';
export { TeamsNotifier, adaptiveCardOf } from './teamsNotifier';
export { GraphMailNotifier, leaseMailOf } from './mailNotifier';

/** Sends to every configured channel; one channel failing does not stop the others. */
export class FanOutNotifier implements Notifier {
  constructor(private readonly channels: readonly Notifier[]) {}

  async notify(notification: LeaseNotification): Promise<void> {
    const results = await Promise.allSettled(this.channels.map((c) => c.notify(notification)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      throw new Error(
        `${failures.length} of ${this.channels.length} notification channel(s) failed: ${failures.map((f) => (f.reason instanceof Error ? f.reason.message : 'error')).join('; ')}`,
      );
    }
  }
}

export function createNotifier(settings: Settings): Notifier {
  const channels: Notifier[] = [];
  if (settings.JIT_NOTIFY_WEBHOOK_URL !== undefined && settings.JIT_NOTIFY_WEBHOOK_SECRET !== undefined) {
    channels.push(new SignedWebhookNotifier(settings.JIT_NOTIFY_WEBHOOK_URL, settings.JIT_NOTIFY_WEBHOOK_SECRET));
  }
  if (settings.JIT_NOTIFY_TEAMS_WEBHOOK_URL !== undefined)
    channels.push(new TeamsNotifier(settings.JIT_NOTIFY_TEAMS_WEBHOOK_URL));
  return new FanOutNotifier(channels);
}
