import type { AccountStore, AuditLog, Clock, ConfigStore, DirectoryProvider, LeaseLockStore, RequestStore, SecretVault } from './ports';

/** Everything a use case may depend on, built once per process by the composition root. */
export interface AppDeps {
  readonly clock: Clock;
  readonly directories: DirectoryProvider;
  readonly vault: SecretVault;
  readonly requests: RequestStore;
  readonly locks: LeaseLockStore;
  readonly accounts: AccountStore;
  readonly config: ConfigStore;
  readonly audit: AuditLog;
  readonly revocationRetryIntervalMs: number;
  /** Structured log line; never pass a secret. */
  readonly log: (level: 'info' | 'warn' | 'error', event: string, fields: Readonly<Record<string, unknown>>) => void;
}
