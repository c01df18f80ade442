import type { AppPorts, Clock } from './ports';

/** Everything a use case may depend on, built once per process by the composition root. */
export interface AppDeps extends AppPorts {
  readonly clock: Clock;
  readonly revocationRetryIntervalMs: number;
  readonly activityRetryFirstIntervalMs: number;
  readonly workflow: WorkflowSettings;
  /** Structured log line; never pass a secret. */
  readonly log: (level: 'info' | 'warn' | 'error', event: string, fields: Readonly<Record<string, unknown>>) => void;
}

/** Non-secret settings of the lease workflow (issue 4). */
export interface WorkflowSettings {
  /** Where links in notifications point (the portal or the API); null: no link. */
  readonly publicBaseUrl: string | null;
  /** Some notification channel (Teams, signed webhook, email) is configured. */
  readonly notificationsEnabled: boolean;
  /** How long before a lease's expiry its requester is told it ends soon (JIT_NOTIFY_ENDING_SOON_BEFORE). */
  readonly endingSoonBeforeMs: number;
  /** Temporary Access Passes are one-time use. */
  readonly tapUsableOnce: boolean;
  /** The connected tenant of the technicians (elevation targets, webhook technicians). */
  readonly homeTenantId: string;
  /** Client id of the service's app registration, whose app roles (Jit.Approver …) callers hold. */
  readonly apiClientId: string;
}
