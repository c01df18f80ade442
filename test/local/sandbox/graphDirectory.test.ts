import type { Client } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import {
  CONTOSO,
  HOME_GROUPS,
  HOME_TENANT,
  HOME_USERS,
  CUSTOM_ROLES,
  ROLE_DISPLAY_NAMES,
  ROLE_TEMPLATES,
  SERVICE_APP,
  seedAppOf,
} from '../../../local/sandbox/seed';
import type { RunningSandbox } from '../../../local/sandbox/server';
import { call, graphClientFor, graphFailure, graphToken, sandboxState, tenantState, useResetSandbox } from './helpers';

let sandbox: RunningSandbox;
let graph: Client;
const staff = CONTOSO.users.find((u) => u.userPrincipalName.startsWith('staff@'));
const staffId = staff?.id ?? '';
const roleGroup = CONTOSO.groups.find((g) => g.isAssignableToRole);
const plainGroup = CONTOSO.groups.find((g) => !g.isAssignableToRole);

useResetSandbox((started) => {
  sandbox = started;
  graph = graphClientFor(started, CONTOSO);
});

describe('Graph role management', () => {
  it('lists every built-in role definition and the custom one with id == templateId, filtered by templateId', async () => {
    const all = (await graph.api('/roleManagement/directory/roleDefinitions').get()) as {
      value: { id: string; templateId: string; displayName: string }[];
    };
    expect(all.value.map((d) => d.id).sort()).toEqual(
      [...Object.values(ROLE_TEMPLATES), ...CUSTOM_ROLES.map((r) => r.id)].sort(),
    );
    expect(all.value.every((d) => d.id === d.templateId)).toBe(true);
    const one = (await graph
      .api('/roleManagement/directory/roleDefinitions')
      .filter(`templateId eq '${ROLE_TEMPLATES.helpdeskAdministrator}'`)
      .get()) as { value: { displayName: string }[] };
    expect(one.value).toEqual([
      expect.objectContaining({ displayName: ROLE_DISPLAY_NAMES[ROLE_TEMPLATES.helpdeskAdministrator] }),
    ]);
    const byId = (await graph
      .api(`/roleManagement/directory/roleDefinitions/${ROLE_TEMPLATES.globalReader}`)
      .get()) as { displayName: string };
    expect(byId.displayName).toBe('Global Reader');
    expect(
      (
        await graphFailure(
          graph.api('/roleManagement/directory/roleDefinitions/00000000-0000-4000-8000-000000000000').get(),
        )
      ).statusCode,
    ).toBe(404);
  });

  it('creates, finds, refuses duplicates of, and deletes role assignments', async () => {
    const body = {
      principalId: staffId,
      roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
      directoryScopeId: '/',
    };
    const created = (await graph.api('/roleManagement/directory/roleAssignments').post(body)) as {
      id: string;
      principalId: string;
    };
    expect(created.principalId).toBe(staffId);
    const duplicate = await graphFailure(graph.api('/roleManagement/directory/roleAssignments').post(body));
    expect(duplicate).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: 'A conflicting object with one or more of the specified property values is present in the directory.',
    });
    const found = (await graph
      .api('/roleManagement/directory/roleAssignments')
      .filter(`principalId eq '${staffId}' and roleDefinitionId eq '${ROLE_TEMPLATES.helpdeskAdministrator}'`)
      .get()) as { value: { id: string }[] };
    expect(found.value.map((a) => a.id)).toEqual([created.id]);
    expect(
      ((await graph.api(`/roleManagement/directory/roleAssignments/${created.id}`).get()) as { id: string }).id,
    ).toBe(created.id);
    await graph.api(`/roleManagement/directory/roleAssignments/${created.id}`).delete();
    expect(
      (await graphFailure(graph.api(`/roleManagement/directory/roleAssignments/${created.id}`).delete())).statusCode,
    ).toBe(404);
  });

  it('refuses unknown principals and roles with 404 Request_ResourceNotFound', async () => {
    const unknownPrincipal = await graphFailure(
      graph.api('/roleManagement/directory/roleAssignments').post({
        principalId: '99999999-0000-4000-8000-000000000000',
        roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
        directoryScopeId: '/',
      }),
    );
    expect(unknownPrincipal).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    const unknownRole = await graphFailure(
      graph.api('/roleManagement/directory/roleAssignments').post({
        principalId: staffId,
        roleDefinitionId: '99999999-0000-4000-8000-000000000000',
        directoryScopeId: '/',
      }),
    );
    expect(unknownRole.statusCode).toBe(404);
  });

  it('finds its own service principal by appId and its directory roles through roleAssignments', async () => {
    const app = seedAppOf(CONTOSO);
    const list = (await graph.api('/servicePrincipals').filter(`appId eq '${app.clientId}'`).get()) as {
      value: { id: string }[];
    };
    expect(list.value.map((s) => s.id)).toEqual([app.servicePrincipalId]);
    const byKey = (await graph.api(`/servicePrincipals(appId='${app.clientId}')`).get()) as {
      id: string;
      appRoles: unknown[];
    };
    expect(byKey.id).toBe(app.servicePrincipalId);
    const roles = (await graph
      .api('/roleManagement/directory/roleAssignments')
      .filter(`principalId eq '${app.servicePrincipalId}'`)
      .get()) as { value: { roleDefinitionId: string }[] };
    expect(roles.value.map((r) => r.roleDefinitionId).sort()).toEqual([...app.directoryRoles].sort());
    expect(
      (await graphFailure(graph.api("/servicePrincipals(appId='00000000-0000-4000-8000-000000000000')").get()))
        .statusCode,
    ).toBe(404);
    const home = graphClientFor(sandbox, HOME_TENANT);
    const own = (await home.api(`/servicePrincipals(appId='${SERVICE_APP.clientId}')`).get()) as {
      appRoles: { value: string }[];
    };
    expect(own.appRoles.map((r) => r.value).sort()).toEqual(['Jit.Admin', 'Jit.Approver']);
  });
});

describe('Graph groups and domains', () => {
  it('reads groups and members, adds and removes members through $ref', async () => {
    const groupId = plainGroup?.id ?? '';
    expect(((await graph.api(`/groups/${groupId}`).get()) as { displayName: string }).displayName).toBe(
      plainGroup?.displayName,
    );
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${staffId}` };
    expect(await graph.api(`/groups/${groupId}/members/$ref`).post(ref)).toBeUndefined();
    const again = await graphFailure(graph.api(`/groups/${groupId}/members/$ref`).post(ref));
    expect(again).toMatchObject({
      statusCode: 400,
      message: "One or more added object references already exist for the following modified properties: 'members'.",
    });
    const members = (await graph.api(`/groups/${groupId}/members`).get()) as {
      value: { id: string; '@odata.type': string }[];
    };
    expect(members.value).toEqual([expect.objectContaining({ id: staffId, '@odata.type': '#microsoft.graph.user' })]);
    const memberOf = (await graph.api(`/users/${staffId}/memberOf`).get()) as { value: { id: string }[] };
    expect(memberOf.value.map((g) => g.id)).toEqual([groupId]);
    await graph.api(`/groups/${groupId}/members/${staffId}/$ref`).delete();
    const notMember = await graphFailure(graph.api(`/groups/${groupId}/members/${staffId}/$ref`).delete());
    expect(notMember).toMatchObject({
      statusCode: 404,
      code: 'Request_ResourceNotFound',
      message: `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
    });
    const unknown = await graphFailure(
      graph.api(`/groups/${groupId}/members/$ref`).post({
        '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/99999999-0000-4000-8000-000000000000',
      }),
    );
    expect(unknown).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(
      await graphFailure(graph.api(`/groups/${groupId}/members/$ref`).post({ '@odata.id': 'not a url' })),
    ).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect((await graphFailure(graph.api('/groups/99999999-0000-4000-8000-000000000000').get())).statusCode).toBe(404);
  });

  it('lists groups filtered by display name (case-insensitive), selected, and refuses what Graph refuses', async () => {
    const found = (await graph
      .api('/groups')
      .filter("displayName eq 'jit helpdesk operators'")
      .select('id,displayName,onPremisesSyncEnabled')
      .get()) as { value: Record<string, unknown>[] };
    expect(found.value).toEqual([
      { id: roleGroup?.id, displayName: 'JIT Helpdesk Operators', onPremisesSyncEnabled: null },
    ]);
    const all = (await graph.api('/groups').top(2).get()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect(all.value).toHaveLength(2);
    expect(all['@odata.nextLink']).toBeDefined();
    expect(await graphFailure(graph.api('/groups').filter("description eq 'x'").get())).toMatchObject({
      statusCode: 400,
    });
    expect(await graphFailure(graph.api('/groups').filter("displayName ne 'x'").get())).toMatchObject({
      statusCode: 400,
      code: 'Request_UnsupportedQuery',
    });
    const app = seedAppOf(CONTOSO);
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { appPermissions: ['User.Read.All'] },
    });
    const denied = await call(sandbox, 'GET', '/v1.0/groups', { token: await graphToken(sandbox, CONTOSO) });
    expect(denied.status).toBe(403);
  });

  it('needs RoleManagement.ReadWrite.Directory to add to a role-assignable group', async () => {
    const app = seedAppOf(CONTOSO);
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { appPermissions: ['GroupMember.ReadWrite.All', 'User.Read.All'] },
    });
    const token = await graphToken(sandbox, CONTOSO);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${staffId}` };
    const denied = await call(sandbox, 'POST', `/v1.0/groups/${roleGroup?.id ?? ''}/members/$ref`, {
      token,
      body: ref,
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
    const allowed = await call(sandbox, 'POST', `/v1.0/groups/${plainGroup?.id ?? ''}/members/$ref`, {
      token,
      body: ref,
    });
    expect(allowed.status).toBe(204);
  });

  it('lists domains with their authentication type, and reads one', async () => {
    const domains = (await graph.api('/domains').get()) as {
      value: { id: string; authenticationType: string; isVerified: boolean; isDefault: boolean }[];
    };
    expect(domains.value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'contoso.example',
          authenticationType: 'Managed',
          isVerified: true,
          isDefault: true,
        }),
        expect.objectContaining({ id: 'fed.contoso.example', authenticationType: 'Federated' }),
      ]),
    );
    expect(
      ((await graph.api('/domains/fed.contoso.example').get()) as { authenticationType: string }).authenticationType,
    ).toBe('Federated');
    expect((await graphFailure(graph.api('/domains/unknown.example').get())).statusCode).toBe(404);
  });

  it('gives the home tenant technicians their groups', async () => {
    const home = graphClientFor(sandbox, HOME_TENANT);
    const members = (await home.api(`/groups/${HOME_GROUPS.allTechnicians.id}/members`).get()) as {
      value: { id: string }[];
    };
    expect(members.value.map((m) => m.id).sort()).toEqual([HOME_USERS.alice.id, HOME_USERS.dave.id].sort());
  });
});

describe('Graph temporary access passes', () => {
  it('creates a pass shown once, lists without it, signs in with it once, and deletes it', async () => {
    const created = (await graph
      .api(`/users/${staffId}/authentication/temporaryAccessPassMethods`)
      .post({ lifetimeInMinutes: 60, isUsableOnce: true })) as {
      id: string;
      temporaryAccessPass: string;
      isUsable: boolean;
    };
    expect(created.temporaryAccessPass).toMatch(/^.{8,}$/);
    expect(created.isUsable).toBe(true);
    const listed = (await graph.api(`/users/${staffId}/authentication/temporaryAccessPassMethods`).get()) as {
      value: { id: string; temporaryAccessPass: unknown }[];
    };
    expect(listed.value).toEqual([expect.objectContaining({ id: created.id, temporaryAccessPass: null })]);
    const state = JSON.stringify(await sandboxState(sandbox));
    expect(state).not.toContain(created.temporaryAccessPass);
    const signin = (password: string) =>
      call(sandbox, 'POST', '/_sandbox/signin', { body: { userPrincipalName: staff?.userPrincipalName, password } });
    expect((await signin(created.temporaryAccessPass)).status).toBe(200);
    expect((await signin(created.temporaryAccessPass)).status).toBe(401);
    // A used one-time pass is no longer usable: a new one replaces it.
    const replacement = (await graph
      .api(`/users/${staffId}/authentication/temporaryAccessPassMethods`)
      .post({ lifetimeInMinutes: 60 })) as { id: string };
    expect(tenantState(await sandboxState(sandbox), CONTOSO.id).temporaryAccessPasses.map((p) => p.id)).toEqual([
      replacement.id,
    ]);
    await graph.api(`/users/${staffId}/authentication/temporaryAccessPassMethods/${replacement.id}`).delete();
    expect(
      (
        await graphFailure(
          graph.api(`/users/${staffId}/authentication/temporaryAccessPassMethods/${created.id}`).delete(),
        )
      ).statusCode,
    ).toBe(404);
    expect(tenantState(await sandboxState(sandbox), CONTOSO.id).temporaryAccessPasses).toEqual([]);
  });

  it("refuses lifetimes outside the tenant policy's range (by default 60..480 minutes) and callers without UserAuthenticationMethod.ReadWrite.All", async () => {
    const tooLong = await graphFailure(
      graph.api(`/users/${staffId}/authentication/temporaryAccessPassMethods`).post({ lifetimeInMinutes: 481 }),
    );
    expect(tooLong).toMatchObject({
      statusCode: 400,
      code: 'badRequest',
      message: 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.',
    });
    const tooShort = await graphFailure(
      graph.api(`/users/${staffId}/authentication/temporaryAccessPassMethods`).post({ lifetimeInMinutes: 30 }),
    );
    expect(tooShort).toMatchObject({
      statusCode: 400,
      message: 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.',
    });
    const app = seedAppOf(CONTOSO);
    await call(sandbox, 'PATCH', `/_sandbox/tenants/${CONTOSO.id}/apps/${app.clientId}`, {
      body: { appPermissions: ['User.ReadWrite.All'] },
    });
    const token = await graphToken(sandbox, CONTOSO);
    const denied = await call(sandbox, 'POST', `/v1.0/users/${staffId}/authentication/temporaryAccessPassMethods`, {
      token,
      body: { lifetimeInMinutes: 60 },
    });
    expect(denied.status).toBe(403);
  });
});
