import { expect } from 'vitest';

/** A thin client for the API and the sandbox, as a portal or curl would call them. */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface TokenOptions {
  readonly audience?: string;
  readonly expiresInSeconds?: number;
  readonly notBeforeInSeconds?: number;
  readonly untrustedKey?: boolean;
  /** A groups overage instead of the `groups` claim, as Entra issues above 200 groups. */
  readonly groupsOverage?: boolean;
  /** `id`: the ID token the same sign-in returns (no `scp`), not an access token for the API. */
  readonly tokenType?: 'access' | 'id';
  /** Conditional Access authentication contexts the user satisfied (the `acrs` claim), e.g. ['c1']. */
  readonly acrs?: readonly string[];
}

export class StackClient {
  constructor(
    readonly apiBaseUrl: string,
    readonly sandboxUrl: string,
  ) {}

  async token(user: string, options: TokenOptions = {}): Promise<string> {
    const response = await this.sandbox<{ access_token: string }>('POST', '/_sandbox/tokens', { user, ...options });
    expect(response.status, `token for ${user}: ${response.text}`).toBe(200);
    return response.body.access_token;
  }

  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    return call<T>(`${this.apiBaseUrl}${path}`, method, headers, body);
  }

  sandbox<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
    return call<T>(`${this.sandboxUrl}${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body));
  }

  async state(): Promise<SandboxState> {
    const response = await this.sandbox<SandboxState>('GET', '/_sandbox/state');
    expect(response.status).toBe(200);
    return response.body;
  }

  /**
   * Creates a user through the sandbox's Graph as the customer's own admin would (with the
   * tenant's app credential), not through the service. Returns the new user's object id.
   */
  async createCustomerUser(
    tenant: CustomerAdmin,
    user: { userPrincipalName: string; accountEnabled: boolean; mailNickname?: string },
  ): Promise<string> {
    const access_token = await this.customerGraphToken(tenant);
    const local = user.userPrincipalName.split('@')[0] ?? 'user';
    const created = await call<{ id: string }>(
      `${this.sandboxUrl}/v1.0/users`,
      'POST',
      { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
      JSON.stringify({
        accountEnabled: user.accountEnabled,
        displayName: `Made by hand: ${local}`,
        mailNickname: user.mailNickname ?? local,
        userPrincipalName: user.userPrincipalName,
        passwordProfile: { password: 'Made-By-A-Customer-Admin-1234' },
      }),
    );
    expect(created.status, created.text).toBe(201);
    return created.body.id;
  }

  /** Deletes a user as the customer's own admin would. */
  async deleteCustomerUser(tenant: CustomerAdmin, objectId: string): Promise<void> {
    const deleted = await call(
      `${this.sandboxUrl}/v1.0/users/${objectId}`,
      'DELETE',
      { Authorization: `Bearer ${await this.customerGraphToken(tenant)}` },
      undefined,
    );
    expect(deleted.status, deleted.text).toBe(204);
  }

  /** Removes a member from a group as the tenant's own admin would. */
  async removeCustomerGroupMember(tenant: CustomerAdmin, groupId: string, memberId: string): Promise<void> {
    const removed = await call(
      `${this.sandboxUrl}/v1.0/groups/${groupId}/members/${memberId}/$ref`,
      'DELETE',
      { Authorization: `Bearer ${await this.customerGraphToken(tenant)}` },
      undefined,
    );
    expect(removed.status, removed.text).toBe(204);
  }

  private async customerGraphToken(tenant: CustomerAdmin): Promise<string> {
    const tokenResponse = await fetch(`${this.sandboxUrl}/${tenant.id}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    return ((await tokenResponse.json()) as { access_token: string }).access_token;
  }

  /** Polls a request until `done` says so; returns the last body. */
  async waitForRequest(
    id: string,
    token: string,
    done: (r: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      const response = await this.api('GET', `/requests/${id}`, { token });
      last = response.body;
      if (response.status === 200 && done(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`request ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }
}

async function call<T>(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<ApiResponse<T>> {
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** A customer tenant's own app credential, to act as its admin would (not through the service). */
export interface CustomerAdmin {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface SandboxUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly accountEnabled: boolean;
  readonly passwordVersion: number;
  readonly lastPasswordChangeDateTime: string | null;
  readonly signInSessionsValidFromDateTime: string | null;
}

export interface SandboxTenantState {
  readonly id: string;
  readonly users: readonly SandboxUser[];
  readonly groups: readonly { id: string; memberIds: readonly string[] }[];
  readonly roleAssignments: readonly { id: string; principalId: string; roleDefinitionId: string }[];
  readonly temporaryAccessPasses: readonly {
    id: string;
    userId: string;
    lifetimeInMinutes: number;
    isUsableOnce: boolean;
  }[];
  readonly calls: { readonly total: number; readonly writes: number; readonly roundTrips: number };
  readonly protectedWriteAttempts: number;
}

export interface SandboxState {
  readonly tenants: readonly SandboxTenantState[];
  readonly keyVault: { readonly secrets: readonly { name: string; deleted: boolean; expiresOn?: string | null }[] };
}

export function tenantState(state: SandboxState, tenantId: string): SandboxTenantState {
  const tenant = state.tenants.find((t) => t.id === tenantId);
  if (tenant === undefined) throw new Error(`sandbox has no tenant ${tenantId}`);
  return tenant;
}

export function userState(state: SandboxState, tenantId: string, upn: string): SandboxUser | undefined {
  return tenantState(state, tenantId).users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
}
