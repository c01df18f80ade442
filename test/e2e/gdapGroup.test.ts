import { describe, expect, it } from 'vitest';
import { CONTOSO, FABRIKAM, HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { tenantState, type SandboxState } from '../support/client';
import { useQuickStack } from '../support/stack';
import { connectHomeTenant, newTechnician } from './workflowSupport';

/**
 * gdapGroup targets end to end: created in the home tenant naming a security group that GDAP
 * access assignments map to customer roles (the answer lists exactly which, refused when none);
 * a lease adds the technician's own home account to the group and nothing to any customer tenant;
 * its end removes the membership and reads it back.
 */
const t = useQuickStack();
const TARGET = 'gdap-helpdesk';

const admin = (): Promise<string> => t.client.token(HOME_USERS.carol.userPrincipalName);

function createTarget(token: string, tenantId: string, body: Record<string, unknown>) {
  return t.client.api<Record<string, unknown> & { errors?: { field: string; message: string }[] }>(
    'POST',
    `/tenants/${tenantId}/targets`,
    { token, body: { targetId: TARGET, name: 'GDAP helpdesk', kind: 'gdapGroup', ...body } },
  );
}

const membersOf = (state: SandboxState, groupId: string): readonly string[] =>
  tenantState(state, HOME_TENANT.id).groups.find((g) => g.id === groupId)?.memberIds ?? [];

describe('gdapGroup targets', () => {
  it('refuses a group that grants no customer role, naming it, and any other misuse; stores nothing', async () => {
    await connectHomeTenant(getServices().deps);
    const token = await admin();
    const unmapped = await createTarget(token, HOME_TENANT.id, { groupId: HOME_GROUPS.allTechnicians.id });
    expect(unmapped.status, unmapped.text).toBe(400);
    expect(unmapped.body.errors).toEqual([
      {
        field: 'groupId',
        message: `group 'All technicians' (${HOME_GROUPS.allTechnicians.id}) grants no role in any customer tenant: no active GDAP access assignment of an active relationship maps it`,
      },
    ]);
    // Its only access assignment is still pending: nothing yet.
    const pending = await createTarget(token, HOME_TENANT.id, { groupId: HOME_GROUPS.gdapPending.id });
    expect(pending.status, pending.text).toBe(400);
    expect(pending.body.errors?.[0]?.message).toMatch(/GDAP User admins \(pending\).*grants no role/);

    const unknown = await createTarget(token, HOME_TENANT.id, { groupId: '2b000000-0000-4000-8000-0000000000ff' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({
      field: 'groupId',
      message: expect.stringMatching(/^no group/) as unknown,
    });

    const inCustomer = await createTarget(token, CONTOSO.id, { groupId: HOME_GROUPS.gdapHelpdesk.id });
    expect(inCustomer.status).toBe(400);
    expect(inCustomer.body.errors?.[0]?.field).toBe('tenantId');

    const withRoles = await createTarget(token, HOME_TENANT.id, {
      groupId: HOME_GROUPS.gdapHelpdesk.id,
      roles: [{ templateId: ROLE_TEMPLATES.globalAdministrator }],
    });
    expect(withRoles.status).toBe(400);
    expect(withRoles.body.errors?.[0]?.field).toBe('roles');

    const missing = await createTarget(token, HOME_TENANT.id, {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.field).toBe('groupId');

    const onOtherKind = await t.client.api<{ errors: { field: string; message: string }[] }>(
      'POST',
      `/tenants/${CONTOSO.id}/targets`,
      { token, body: { targetId: 'not-gdap', name: 'x', kind: 'adminAccount', groupId: HOME_GROUPS.gdapHelpdesk.id } },
    );
    expect(onOtherKind.status).toBe(400);
    expect(onOtherKind.body.errors[0]).toEqual({
      field: 'groupId',
      message: 'applies only to gdapGroup targets, not to adminAccount targets',
    });
    expect((await t.client.api('GET', `/tenants/${HOME_TENANT.id}/targets/${TARGET}`, { token })).status).toBe(404);
  });

  it('shows exactly which roles in which customers the group grants (active relationships and assignments only)', async () => {
    const created = await createTarget(await admin(), HOME_TENANT.id, {
      groupId: HOME_GROUPS.gdapHelpdesk.id,
      defaultDuration: 'PT1H',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'gdapGroup',
      tenantId: HOME_TENANT.id,
      groupId: HOME_GROUPS.gdapHelpdesk.id,
    });
    const grants = created.body.gdapGrants as { customerTenantId: string; roles: { name: string }[] }[];
    // Northwind's relationship expired: its assignment of the same group counts for nothing.
    expect(grants.map((g) => [g.customerTenantId, g.roles.map((r) => r.name).sort()]).sort()).toEqual(
      [
        [CONTOSO.id, ['Global Reader', 'Helpdesk Administrator']],
        [FABRIKAM.id, ['Helpdesk Administrator']],
      ].sort(),
    );
  });

  it("a lease adds the technician's own home account to the group, creates nothing in a customer tenant, and its end removes the membership", async () => {
    const { deps } = getServices();
    const tech = await newTechnician(t.client, 'gdap');
    const now = new Date().toISOString();
    await deps.config.createRule({
      ruleId: 'gdap-technicians',
      principal: { type: 'user', id: tech.id },
      scope: { targets: [{ tenantId: HOME_TENANT.id, targetId: TARGET }] },
      createdAt: now,
      updatedAt: now,
    });
    const before = await t.client.state();
    const token = await t.client.token(tech.upn);
    const submit = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: HOME_TENANT.id, targetId: TARGET, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    const id = String(submit.body.id);
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'active')).toMatchObject({
      targetKind: 'gdapGroup',
      credentialType: 'none',
      account: { objectId: tech.id, userPrincipalName: tech.upn },
      elevationGrant: { roles: [], groups: [HOME_GROUPS.gdapHelpdesk.id] },
    });
    const during = await t.client.state();
    expect(membersOf(during, HOME_GROUPS.gdapHelpdesk.id)).toContain(tech.id);
    for (const customer of [CONTOSO.id, FABRIKAM.id])
      expect(tenantState(during, customer).users).toHaveLength(tenantState(before, customer).users.length);

    const reveal = await t.client.api('POST', `/requests/${id}/credential`, { token });
    expect(reveal.status).toBe(409);
    expect(String(reveal.body.detail)).toMatch(/GDAP security group/);

    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token, body: { reason: 'done' } })).status).toBe(
      202,
    );
    expect(await t.client.waitForRequest(id, token, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'revoked',
    });
    expect(membersOf(await t.client.state(), HOME_GROUPS.gdapHelpdesk.id)).not.toContain(tech.id);

    const audit = await t.client.api<{ items: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      `/audit?requestId=${id}&action=lease.provisioned`,
      { token: await admin() },
    );
    expect(audit.body.items[0]?.details).toMatchObject({ kind: 'gdapGroup', groupId: HOME_GROUPS.gdapHelpdesk.id });
  });
});
