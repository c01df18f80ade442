import type { AccountStore } from './accountStore';
import type { AuditLog } from './auditLog';
import type { ConfigStore } from './configStore';
import type { DirectoryProvider } from './directory';
import type { IntegrationStore } from './integrationStore';
import type { LeaseLockStore } from './leaseLockStore';
import type { LeaseMailer } from './leaseMailer';
import type { Notifier } from './notifier';
import type { OnceStore } from './onceStore';
import type { PsaHttp } from './psaHttp';
import type { PsaWriteBackQueue } from './psaWriteBackQueue';
import type { ReportMailer } from './reportMailer';
import type { RequestStore } from './requestStore';
import type { SecretVault } from './secretVault';
import type { TemplateStore } from './templateStore';
import type { TeamsBot } from './teamsBot';

/** Every port, one instance each: what src/adapters builds and the composition root hands to the use cases. */
export interface AppPorts {
  readonly directories: DirectoryProvider;
  readonly vault: SecretVault;
  readonly requests: RequestStore;
  readonly locks: LeaseLockStore;
  readonly accounts: AccountStore;
  readonly config: ConfigStore;
  readonly templates: TemplateStore;
  readonly audit: AuditLog;
  readonly integrations: IntegrationStore;
  readonly idempotency: OnceStore;
  readonly webhookDeliveries: OnceStore;
  readonly notifier: Notifier;
  /** Lease emails (JIT_NOTIFY_MAIL_FROM, through Graph); null: no email. */
  readonly mailer: LeaseMailer | null;
  /** Approval cards in Microsoft Teams (JIT_TEAMS_BOT_APP_ID); absent: no bot. */
  readonly teams?: TeamsBot;
  /** PSA write-back: notes waiting to be written, and the HTTPS client that writes them. */
  readonly psaWriteBacks: PsaWriteBackQueue;
  readonly psaHttp: PsaHttp;
  /** Monthly customer reports by email (JIT_NOTIFY_MAIL_FROM); absent or null: none are sent. */
  readonly reportMailer?: ReportMailer | null;
}
