import { randomUUID } from 'node:crypto';
import { createTableStores, type TableStores } from '../../../src/adapters/tables';
import type { AuditEvent } from '../../../src/domain/audit';
import type { LeaseRequest } from '../../../src/domain/request';
import { testEnv, uniqueName } from '../../support/env';

/** Stores over the run's Azurite, in tables of their own. */
export function freshStores(): TableStores {
  return createTableStores({ connectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING') }, uniqueName('t'));
}

export function provisioningRequest(
  overrides: { id?: string; tenantId?: string; requesterObjectId?: string; createdAt?: string } = {},
): LeaseRequest {
  const createdAt = overrides.createdAt ?? new Date().toISOString();
  return {
    id: overrides.id ?? randomUUID(),
    tenantId: overrides.tenantId ?? randomUUID(),
    targetId: 'helpdesk-admin',
    requester: {
      objectId: overrides.requesterObjectId ?? randomUUID(),
      tenantId: randomUUID(),
      userPrincipalName: 'alice@msp.example',
      groups: [],
    },
    duration: 'PT1H',
    justification: "ticket 42: reset the CEO's MFA",
    ticket: null,
    createdAt,
    updatedAt: createdAt,
    approvalRequired: false,
    decision: null,
    status: 'provisioning',
  };
}

export function auditEvent(overrides: Partial<AuditEvent> & { at: string }): AuditEvent {
  return {
    id: randomUUID(),
    actor: { type: 'user', id: randomUUID() },
    action: 'request.submitted',
    outcome: 'success',
    requestId: null,
    tenantId: null,
    targetId: null,
    ticket: null,
    details: {},
    ...overrides,
  };
}
