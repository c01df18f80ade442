import type { AppDeps, WorkflowSettings } from '../../../src/app/deps';
import { InMemoryAccountStore } from './accountStore';
import { InMemoryAuditLog } from './auditLog';
import { ManualClock } from './clock';
import { InMemoryConfigStore } from './configStore';
import { FakeDirectories } from './directory';
import { InMemoryIntegrationStore } from './integrationStore';
import { InMemoryLeaseLockStore } from './leaseLockStore';
import { RecordingNotifier } from './notifier';
import { InMemoryOnceStore } from './onceStore';
import { InMemoryPsaWriteBackQueue, ScriptedPsaHttp } from './psaWriteBacks';
import { InMemoryRequestStore } from './requestStore';
import { InMemorySecretVault } from './secretVault';
import { InMemoryTemplateStore } from './templateStore';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** AppDeps over in-memory fakes, each kept under its concrete type so a test can look inside. */
export interface FakeDeps extends AppDeps {
  readonly clock: ManualClock;
  readonly directories: FakeDirectories;
  readonly vault: InMemorySecretVault;
  readonly requests: InMemoryRequestStore;
  readonly locks: InMemoryLeaseLockStore;
  readonly accounts: InMemoryAccountStore;
  readonly config: InMemoryConfigStore;
  readonly templates: InMemoryTemplateStore;
  readonly audit: InMemoryAuditLog;
  readonly notifier: RecordingNotifier;
  readonly integrations: InMemoryIntegrationStore;
  readonly idempotency: InMemoryOnceStore;
  readonly webhookDeliveries: InMemoryOnceStore;
  readonly psaWriteBacks: InMemoryPsaWriteBackQueue;
  readonly psaHttp: ScriptedPsaHttp;
  readonly logs: LogLine[];
}

export const FAKE_HOME_TENANT_ID = '0b5b0c6e-1f8a-4c36-9a38-6d1f0d2a7e10';
export const FAKE_API_CLIENT_ID = 'c1b3d2a4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** The use cases' dependencies with nothing outside the process: no Azurite, sandbox or host. */
export function fakeDeps(overrides: { readonly workflow?: Partial<WorkflowSettings> } = {}): FakeDeps {
  const logs: LogLine[] = [];
  return {
    clock: new ManualClock(),
    directories: new FakeDirectories(),
    vault: new InMemorySecretVault(),
    requests: new InMemoryRequestStore(),
    locks: new InMemoryLeaseLockStore(),
    accounts: new InMemoryAccountStore(),
    config: new InMemoryConfigStore(),
    templates: new InMemoryTemplateStore(),
    audit: new InMemoryAuditLog(),
    revocationRetryIntervalMs: 60_000,
    activityRetryFirstIntervalMs: 2_000,
    notifier: new RecordingNotifier(),
    mailer: null,
    integrations: new InMemoryIntegrationStore(),
    idempotency: new InMemoryOnceStore(),
    webhookDeliveries: new InMemoryOnceStore(),
    psaWriteBacks: new InMemoryPsaWriteBackQueue(),
    psaHttp: new ScriptedPsaHttp(),
    workflow: {
      publicBaseUrl: null,
      notificationsEnabled: false,
      endingSoonBeforeMs: 600_000,
      tapUsableOnce: true,
      homeTenantId: FAKE_HOME_TENANT_ID,
      apiClientId: FAKE_API_CLIENT_ID,
      ...overrides.workflow,
    },
    logs,
    log: (level, event, fields) => logs.push({ level, event, fields: { ...fields } }),
  };
}
