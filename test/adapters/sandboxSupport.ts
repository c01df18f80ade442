import { startSandbox, type RunningSandbox } from '../../local/sandbox/server';
import { HOME_TENANT_ID, SERVICE_APP } from '../../local/sandbox/seed';
import { settingsSchema, type Settings } from '../../src/settings';
import { testEnv, testTls } from '../support/env';

/** A sandbox of its own for one test file, on an ephemeral port, trusted through the run's CA. */
export async function startTestSandbox(): Promise<RunningSandbox> {
  const tls = await testTls();
  return startSandbox({ port: 0, tls: { keyPem: tls.keyPem, certPem: tls.certPem } });
}

/** Settings pointing every Entra, Graph and Key Vault call at the sandbox. */
export function sandboxSettings(sandbox: RunningSandbox): Settings {
  return settingsSchema.parse({
    JIT_HOME_TENANT_ID: HOME_TENANT_ID,
    JIT_API_CLIENT_ID: SERVICE_APP.clientId,
    JIT_AUTHORITY_HOST: sandbox.url,
    JIT_GRAPH_BASE_URL: sandbox.url,
    JIT_KEY_VAULT_URL: sandbox.url,
    JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
    JIT_TABLES_CONNECTION_STRING: testEnv('JIT_TEST_TABLES_CONNECTION_STRING'),
  });
}

export interface SandboxUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly accountEnabled: boolean;
  readonly passwordVersion: number;
  readonly signInSessionsValidFromDateTime: string | null;
}

export interface SandboxTenantState {
  readonly id: string;
  readonly users: SandboxUser[];
  readonly groups: { id: string; memberIds: string[] }[];
  readonly roleAssignments: { id: string; principalId: string; roleDefinitionId: string; directoryScopeId: string }[];
  /** Graph calls as Graph counts them (a $batch item is one), and the HTTP round trips. */
  readonly calls: { total: number; writes: number; roundTrips: number };
}

export interface SandboxState {
  readonly tenants: SandboxTenantState[];
  readonly keyVault: {
    secrets: {
      name: string;
      tags: Record<string, string> | null;
      contentType: string | null;
      expiresOn: string | null;
      deleted: boolean;
    }[];
  };
  readonly calls: { total: number; writes: number };
}

export async function sandboxState(sandbox: RunningSandbox): Promise<SandboxState> {
  const res = await fetch(`${sandbox.url}/_sandbox/state`);
  if (!res.ok) throw new Error(`GET /_sandbox/state answered ${res.status}`);
  return (await res.json()) as SandboxState;
}

export async function tenantState(sandbox: RunningSandbox, tenantId: string): Promise<SandboxTenantState> {
  const tenant = (await sandboxState(sandbox)).tenants.find((t) => t.id === tenantId);
  if (tenant === undefined) throw new Error(`no sandbox tenant ${tenantId}`);
  return tenant;
}

export async function sandboxCall(
  sandbox: RunningSandbox,
  method: 'PUT' | 'DELETE' | 'PATCH' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export async function signsIn(sandbox: RunningSandbox, userPrincipalName: string, password: string): Promise<boolean> {
  const res = await fetch(`${sandbox.url}/_sandbox/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userPrincipalName, password }),
  });
  return res.ok;
}
