import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { CONTOSO, FULL_APP_PERMISSIONS, seedAppOf } from '../../../local/sandbox/seed';
import { createAdapters, type Adapters } from '../../../src/adapters';
import type { Directory, NewAccount } from '../../../src/app/ports';
import type { Tenant } from '../../../src/domain/config';
import { generatePassword } from '../../../src/domain/password';
import { uniqueName } from '../../support/env';
import { sandboxCall, sandboxSettings, startTestSandbox } from '../sandboxSupport';

/** Short waits for replication lag, so a test of it takes seconds, not the production ~15 s. */
export const TEST_REPLICATION_RETRY = { delaysInMs: [250, 500, 1000, 1000, 1000] };

export function adaptersFor(sandbox: RunningSandbox, graph: { throttleBudgetInMs?: number } = {}): Adapters {
  return createAdapters(sandboxSettings(sandbox), {
    tablePrefix: uniqueName('t'),
    graph: { replicationRetry: TEST_REPLICATION_RETRY, ...graph },
  });
}

/** Contoso connected with its app's client secret, stored first through the vault. */
export async function connectContoso(adapters: Adapters): Promise<Tenant> {
  const app = seedAppOf(CONTOSO);
  const secretName = await adapters.vault.putTenantSecret(CONTOSO.id, app.clientSecret);
  const now = new Date().toISOString();
  return {
    tenantId: CONTOSO.id,
    displayName: CONTOSO.displayName,
    jitDomain: 'contoso.example',
    connection: { mode: 'clientSecret', clientId: app.clientId, secretName },
    protectedAccounts: ['breakglass@contoso.example'],
    createdAt: now,
    updatedAt: now,
  };
}

export async function contosoDirectory(
  sandbox: RunningSandbox,
  graph: { throttleBudgetInMs?: number } = {},
): Promise<{ directory: Directory; tenant: Tenant; adapters: Adapters }> {
  const adapters = adaptersFor(sandbox, graph);
  const tenant = await connectContoso(adapters);
  return { directory: await adapters.directories.forTenant(tenant), tenant, adapters };
}

export function newAccount(): NewAccount {
  const local = `jit-${randomBytes(4).toString('hex')}`;
  return {
    userPrincipalName: `${local}@contoso.example`,
    displayName: `JIT ${local}`,
    mailNickname: local,
    initialPassword: generatePassword(),
  };
}

export const CONTOSO_GROUPS = {
  helpdeskOperators: CONTOSO.groups[0]?.id ?? '',
  exchangeOperators: CONTOSO.groups[1]?.id ?? '',
};

/**
 * A sandbox for the file's tests, handed to `started` once it runs; after each test its faults are
 * cleared and Contoso's app gets all its permissions back (tests take them away); closed at the end.
 */
export function useFaultResettingSandbox(started: (sandbox: RunningSandbox) => void): void {
  let sandbox: RunningSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    started(sandbox);
  });
  afterEach(async () => {
    if (sandbox === undefined) return;
    await sandboxCall(sandbox, 'DELETE', '/_sandbox/faults');
    await sandboxCall(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${seedAppOf(CONTOSO).clientId}`, {
      appPermissions: [...FULL_APP_PERMISSIONS],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
}
