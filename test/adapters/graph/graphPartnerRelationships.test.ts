import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../local/sandbox/server';
import {
  CONTOSO,
  FABRIKAM,
  HOME_GDAP,
  HOME_GROUPS,
  HOME_TENANT,
  NORTHWIND_TENANT_ID,
  ROLE_TEMPLATES,
  SERVICE_APP,
  TAILSPIN_TENANT_ID,
  seedAppOf,
} from '../../../local/sandbox/seed';
import type { Adapters } from '../../../src/adapters';
import type { Directory } from '../../../src/app/ports';
import type { Tenant } from '../../../src/domain/config';
import { DependencyError, ValidationError } from '../../../src/domain/errors';
import { startTestSandbox } from '../sandboxSupport';
import { adaptersFor, contosoDirectory } from './graphFixtures';

/**
 * GDAP reads of the home tenant (a partner) through the Graph adapter, against the sandbox: the
 * seeded customers and relationships, access assignments, every page past Graph's 300, and the
 * refusals Graph gives (no permission: 403; unknown relationship: 404).
 */
let sandbox: RunningSandbox;
let adapters: Adapters;
let home: Tenant;
let directory: Directory;

async function sandboxCall(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  adapters = adaptersFor(sandbox);
  const secretName = await adapters.vault.putTenantSecret(HOME_TENANT.id, SERVICE_APP.clientSecret);
  const now = new Date().toISOString();
  home = {
    tenantId: HOME_TENANT.id,
    displayName: 'MSP',
    jitDomain: 'msp.example',
    connection: { mode: 'clientSecret', clientId: SERVICE_APP.clientId, secretName },
    protectedAccounts: [],
    createdAt: now,
    updatedAt: now,
  };
  directory = await adapters.directories.forTenant(home);
});

afterAll(async () => {
  await sandbox.close();
});

describe('GraphPartnerRelationships against the sandbox', () => {
  it('lists the customers with an active relationship, and every relationship in any state', async () => {
    const customers = await directory.listGdapCustomers();
    expect(customers.map((c) => c.tenantId).sort()).toEqual([CONTOSO.id, FABRIKAM.id].sort());

    const relationships = await directory.listGdapRelationships();
    const byCustomer = new Map(relationships.map((r) => [r.customer.tenantId, r]));
    expect(byCustomer.get(CONTOSO.id)).toMatchObject({
      id: HOME_GDAP.contoso.id,
      status: 'active',
      roleTemplateIds: [...HOME_GDAP.contoso.roleDefinitionIds],
      autoExtendDuration: 'P180D',
    });
    expect(byCustomer.get(NORTHWIND_TENANT_ID)?.status).toBe('expired');
    expect(byCustomer.get(TAILSPIN_TENANT_ID)).toMatchObject({ status: 'approvalPending', endDateTime: null });
  });

  it("reads a relationship's access assignments: the group and its roles, pending ones too", async () => {
    const assignments = await directory.listGdapAccessAssignments(HOME_GDAP.contoso.id);
    expect(assignments).toEqual([
      {
        id: HOME_GDAP.contoso.accessAssignments[0].id,
        groupId: HOME_GROUPS.gdapHelpdesk.id,
        status: 'active',
        roleTemplateIds: [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.globalReader],
      },
      {
        id: HOME_GDAP.contoso.accessAssignments[1].id,
        groupId: HOME_GROUPS.gdapPending.id,
        status: 'pending',
        roleTemplateIds: [ROLE_TEMPLATES.userAdministrator],
      },
    ]);
  });

  it('an unknown relationship is a 404 from Graph; a malformed id never reaches Graph', async () => {
    const unknown = `${randomUUID()}-${randomUUID()}`;
    await expect(directory.listGdapAccessAssignments(unknown)).rejects.toThrow(/status 404 Request_ResourceNotFound/);
    await expect(directory.listGdapAccessAssignments('../users')).rejects.toBeInstanceOf(ValidationError);
  });

  it('follows @odata.nextLink past 300 relationships (Graph pages at $top=300 at most)', async () => {
    const before = (await directory.listGdapRelationships()).length;
    for (let i = 0; i < 305; i += 1) {
      const res = await sandboxCall('POST', `/_sandbox/tenants/${HOME_TENANT.id}/delegatedAdminRelationships`, {
        customer: { tenantId: randomUUID(), displayName: `Paged customer ${i}` },
        roleDefinitionIds: [ROLE_TEMPLATES.globalReader],
      });
      expect(res.status).toBe(201);
    }
    const all = await directory.listGdapRelationships();
    expect(all).toHaveLength(before + 305);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect(await directory.listGdapCustomers()).toHaveLength(2 + 305);

    const token = await (await adapters.directories.forTenant(home)).signIn();
    expect(token.applicationPermissions).toContain('DelegatedAdminRelationship.Read.All');
  });

  it('without DelegatedAdminRelationship.Read.All Graph answers 403, and the error names the permission', async () => {
    const patched = await sandboxCall('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/apps/${SERVICE_APP.clientId}`, {
      appPermissions: SERVICE_APP.appPermissions.filter((p) => !p.startsWith('DelegatedAdminRelationship')),
    });
    expect(patched.status).toBe(204);
    try {
      adapters.directories.forget(HOME_TENANT.id); // a fresh token, minted without the permission
      const fresh = await adapters.directories.forTenant(home);
      const refused = fresh.listGdapRelationships();
      await expect(refused).rejects.toBeInstanceOf(DependencyError);
      await expect(refused).rejects.toThrow(/Authorization_RequestDenied.*needs DelegatedAdminRelationship\.Read\.All/);
      await expect(fresh.listGdapCustomers()).rejects.toThrow(/DelegatedAdminRelationship\.Read\.All/);
    } finally {
      await sandboxCall('PATCH', `/_sandbox/tenants/${HOME_TENANT.id}/apps/${SERVICE_APP.clientId}`, {
        appPermissions: SERVICE_APP.appPermissions,
      });
      adapters.directories.forget(HOME_TENANT.id);
    }
  });

  it('a customer tenant (not a partner) has no relationships', async () => {
    const { directory: contoso } = await contosoDirectory(sandbox);
    expect(seedAppOf(CONTOSO).appPermissions).not.toContain('DelegatedAdminRelationship.Read.All');
    await expect(contoso.listGdapRelationships()).rejects.toThrow(/403|DelegatedAdminRelationship/);
  });
});
