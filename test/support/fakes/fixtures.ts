import { randomUUID } from 'node:crypto';
import { ADMIN_ROLE, APPROVER_ROLE, type Caller } from '../../../src/domain/caller';
import {
  ruleSchema,
  targetSchema,
  tenantSchema,
  type Rule,
  type Target,
  type Tenant,
} from '../../../src/domain/config';
import { durationMs } from '../../../src/domain/duration';
import { transition } from '../../../src/domain/lease';
import type { LeaseRequest } from '../../../src/domain/request';
import { FAKE_HOME_TENANT_ID, type FakeDeps } from './deps';

/**
 * Configuration rows and callers for unit tests, built through the domain's schemas (their defaults
 * included), so a fixture is a row the service could have stored.
 */
export const CUSTOMER_TENANT_ID = '5f2d8a41-7c3e-4b9a-8e21-3d4c5b6a7f80';
export const TECHNICIANS_GROUP_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

export function tenantRow(overrides: Partial<Tenant> = {}): Tenant {
  return tenantSchema.parse({
    tenantId: CUSTOMER_TENANT_ID,
    displayName: 'Contoso',
    jitDomain: 'contoso.example',
    connection: { mode: 'federated' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });
}

export function targetRow(overrides: Record<string, unknown> = {}): Target {
  return targetSchema.parse({
    tenantId: CUSTOMER_TENANT_ID,
    targetId: 'helpdesk',
    name: 'Helpdesk admin',
    kind: 'adminAccount',
    roles: [{ templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8' }],
    defaultDuration: 'PT1H',
    minDuration: 'PT15M',
    maxDuration: 'PT4H',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });
}

/** A rule giving the technicians' group every target of the customer tenant. */
export function ruleRow(overrides: Partial<Rule> = {}): Rule {
  return ruleSchema.parse({
    ruleId: 'technicians',
    principal: { type: 'group', id: TECHNICIANS_GROUP_ID },
    scope: { tenants: [CUSTOMER_TENANT_ID] },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });
}

export function technician(name: string, overrides: Partial<Caller> = {}): Caller {
  return {
    objectId: randomUUID(),
    tenantId: FAKE_HOME_TENANT_ID,
    userPrincipalName: `${name}@msp.example`,
    displayName: name,
    groups: [TECHNICIANS_GROUP_ID],
    roles: [],
    ...overrides,
  };
}

export const approver = (name: string): Caller => technician(name, { roles: [APPROVER_ROLE], groups: [] });
export const admin = (name: string): Caller => technician(name, { roles: [ADMIN_ROLE], groups: [] });

/** The customer tenant, one target and the technicians' rule, stored. */
export async function seedConfig(
  deps: FakeDeps,
  target: Record<string, unknown> = {},
): Promise<{ tenant: Tenant; target: Target }> {
  const tenant = tenantRow();
  const row = targetRow(target);
  await deps.config.createTenant(tenant);
  await deps.config.createTarget(row);
  await deps.config.createRule(ruleRow());
  return { tenant, target: row };
}

/** What the provisioning activity leaves behind: the request active, its account named, a credential stored. */
export async function markProvisioned(
  deps: FakeDeps,
  id: string,
  secret = 'S3cret-of-the-lease',
): Promise<LeaseRequest> {
  const stored = await deps.requests.get(id);
  if (stored === null) throw new Error(`request ${id} is not stored`);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + durationMs(stored.value.duration)).toISOString();
  const account = { userPrincipalName: `jit-${id.slice(0, 8)}@contoso.example`, objectId: randomUUID() };
  const active = transition(stored.value, { type: 'provisioned', account, expiresAt }, now);
  await deps.requests.replace(active, stored.etag);
  await deps.vault.putLeaseCredential(secret, {
    requestId: id,
    tenantId: active.tenantId,
    userPrincipalName: account.userPrincipalName,
    expiresOn: new Date(expiresAt),
  });
  return active;
}
