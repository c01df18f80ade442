import type { LeaseNotification, Notifier } from '../../../src/app/ports';

/** Keeps every notification; `refuse` makes the channel throw, as a channel that is down does. */
export class RecordingNotifier implements Notifier {
  readonly sent: LeaseNotification[] = [];
  refuse = false;

  notify(notification: LeaseNotification): Promise<void> {
    if (this.refuse) return Promise.reject(new Error('the notification channel refused it'));
    this.sent.push(structuredClone(notification));
    return Promise.resolve();
  }
}
