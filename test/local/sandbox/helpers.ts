import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { seedAppOf, type SeedTenant } from '../../../local/sandbox/seed';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../../local/sandbox/server';
import { testTls } from '../../support/env';

/** Test helpers for the Entra sandbox: a running sandbox, real SDK clients against it, its API. */
export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const tls = await testTls();
  return startSandbox({ port: 0, tls, ...options });
}

/**
 * The usual setup of a sandbox test file: one sandbox for the file, back to the seed before each
 * test. `onStart` receives it once it runs (to keep it, and make clients for it).
 */
export function useResetSandbox(onStart: (sandbox: RunningSandbox) => void): void {
  let running: RunningSandbox | undefined;
  beforeAll(async () => {
    running = await startTestSandbox();
    onStart(running);
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(async () => {
    if (running !== undefined) await call(running, 'POST', '/_sandbox/reset');
  });
}

export function credentialFor(
  sandbox: RunningSandbox,
  tenant: SeedTenant | string,
  clientId?: string,
  secret?: string,
): ClientSecretCredential {
  const tenantId = typeof tenant === 'string' ? tenant : tenant.id;
  const app = typeof tenant === 'string' ? undefined : seedAppOf(tenant);
  return new ClientSecretCredential(tenantId, clientId ?? app?.clientId ?? '', secret ?? app?.clientSecret ?? '', {
    authorityHost: sandbox.url,
    disableInstanceDiscovery: true,
  });
}

export function graphClientFor(sandbox: RunningSandbox, tenant: SeedTenant): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credentialFor(sandbox, tenant), {
    scopes: ['https://graph.microsoft.com/.default'],
  });
  return Client.initWithMiddleware({ authProvider, baseUrl: `${sandbox.url}/`, customHosts: new Set(['127.0.0.1']) });
}

export async function graphToken(sandbox: RunningSandbox, tenant: SeedTenant): Promise<string> {
  const token = await credentialFor(sandbox, tenant).getToken('https://graph.microsoft.com/.default');
  return token.token;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Plain fetch against the sandbox, JSON in and out. */
export async function call(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

/** A Graph error's body, as the SDK's GraphError carries it. */
export interface GraphErrorShape {
  statusCode: number;
  code: string | null;
  message: string;
}

export async function graphFailure(promise: Promise<unknown>): Promise<GraphErrorShape> {
  try {
    await promise;
  } catch (error) {
    return error as GraphErrorShape;
  }
  throw new Error('expected the Graph call to fail');
}

export interface SandboxStateView {
  tenants: {
    id: string;
    users: {
      id: string;
      userPrincipalName: string;
      accountEnabled: boolean;
      passwordVersion: number;
      signInSessionsValidFromDateTime: string;
      protected: boolean;
    }[];
    groups: { id: string; memberIds: string[] }[];
    roleAssignments: { id: string; principalId: string; roleDefinitionId: string }[];
    temporaryAccessPasses: { id: string; userId: string }[];
    apps: { clientId: string; appPermissions: string[]; directoryRoles: string[] }[];
    calls: { total: number; writes: number };
    protectedWriteAttempts: number;
  }[];
  keyVault: { secrets: { name: string; version: string; deleted: boolean; tags: Record<string, string> | null }[] };
  calls: { total: number; writes: number };
}

export async function sandboxState(sandbox: RunningSandbox): Promise<SandboxStateView> {
  const res = await call(sandbox, 'GET', '/_sandbox/state');
  return res.body as SandboxStateView;
}

export function tenantState(state: SandboxStateView, tenantId: string): SandboxStateView['tenants'][number] {
  const t = state.tenants.find((x) => x.id === tenantId);
  if (t === undefined) throw new Error(`tenant ${tenantId} not in state`);
  return t;
}

export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token);
}
