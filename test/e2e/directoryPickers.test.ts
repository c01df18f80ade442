import { beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, CUSTOM_ROLES, HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES } from '../../local/sandbox/seed';
import { useQuickStack } from '../support/stack';

/**
 * The directory reads behind the portal's pickers (issue 13): a tenant's role definitions and
 * groups, the home tenant's users and groups. Admin only; unknown tenant 404; bad search 400.
 */
// The home tenant is connected too: principals are searched there.
const t = useQuickStack([CONTOSO, HOME_TENANT]);
let admin: string;
let alice: string;
let bob: string;
const UNKNOWN_TENANT = '0badc0de-0000-4000-8000-000000000000';

beforeAll(async () => {
  admin = await t.client.token('carol@msp.example');
  alice = await t.client.token('alice@msp.example');
  bob = await t.client.token('bob@msp.example');
}, 30_000);

interface RoleDefinition {
  templateId: string;
  displayName: string;
  description: string | null;
  isBuiltIn: boolean;
  isEnabled: boolean;
}
interface GroupMatch {
  id: string;
  displayName: string;
  isAssignableToRole: boolean;
  canBeTarget: boolean;
  whyNot: string | null;
}
interface PrincipalMatch {
  type: 'user' | 'group';
  id: string;
  displayName: string;
  userPrincipalName: string | null;
}

const ENDPOINTS = [
  `/tenants/${CONTOSO.id}/role-definitions`,
  `/tenants/${CONTOSO.id}/groups?search=exch`,
  '/directory/principals?search=al',
];

describe('who may read the directory through the pickers', () => {
  it.each(ENDPOINTS)('%s: 401 without a token, 403 for a technician and an approver', async (path) => {
    expect((await t.client.api('GET', path)).status).toBe(401);
    const technician = await t.client.api('GET', path, { token: alice });
    expect(technician.status).toBe(403);
    expect(technician.text).not.toContain('Exchange');
    expect((await t.client.api('GET', path, { token: bob })).status).toBe(403);
  });
});

describe('GET /tenants/{tenantId}/role-definitions', () => {
  it("lists the tenant's roles by name with their template ids, built-in and custom", async () => {
    const res = await t.client.api<{ items: RoleDefinition[] }>('GET', `/tenants/${CONTOSO.id}/role-definitions`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(200);
    const names = res.body.items.map((r) => r.displayName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(res.body.items).toContainEqual({
      templateId: ROLE_TEMPLATES.helpdeskAdministrator,
      displayName: 'Helpdesk Administrator',
      description: 'Built-in role: Helpdesk Administrator.',
      isBuiltIn: true,
      isEnabled: true,
    });
    expect(res.body.items).toContainEqual(
      expect.objectContaining({
        templateId: CUSTOM_ROLES[0].id,
        displayName: CUSTOM_ROLES[0].displayName,
        isBuiltIn: false,
      }),
    );
  });

  it('404 for a tenant that is not connected, and for a tenant id that is no GUID', async () => {
    const unknown = await t.client.api('GET', `/tenants/${UNKNOWN_TENANT}/role-definitions`, { token: admin });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain(UNKNOWN_TENANT);
    expect((await t.client.api('GET', '/tenants/contoso/role-definitions', { token: admin })).status).toBe(404);
  });
});

describe('GET /tenants/{tenantId}/groups?search=', () => {
  it('finds groups by a word of their name and says which can be in a target and why not', async () => {
    const res = await t.client.api<{ items: GroupMatch[] }>('GET', `/tenants/${CONTOSO.id}/groups?search=admins`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((g) => g.displayName)).toEqual(['Mail-enabled Admins', 'Synced Server Admins']);
    for (const group of res.body.items) {
      expect(group.canBeTarget).toBe(false);
      expect(group.whyNot).toMatch(/Microsoft Graph cannot add or remove them/);
    }
    expect(res.body.items[1]?.whyNot).toContain('on-premises');
    const dynamic = await t.client.api<{ items: GroupMatch[] }>('GET', `/tenants/${CONTOSO.id}/groups?search=staff`, {
      token: admin,
    });
    expect(dynamic.body.items).toEqual([
      expect.objectContaining({ displayName: 'All Staff (dynamic)', canBeTarget: false }),
    ]);
    expect(dynamic.body.items[0]?.whyNot).toContain('dynamic membership');
    const usable = await t.client.api<{ items: GroupMatch[] }>(
      'GET',
      `/tenants/${CONTOSO.id}/groups?search=JIT%20help`,
      {
        token: admin,
      },
    );
    expect(usable.body.items).toEqual([
      expect.objectContaining({
        displayName: 'JIT Helpdesk Operators',
        isAssignableToRole: true,
        canBeTarget: true,
        whyNot: null,
      }),
    ]);
  });

  it('400 naming the search for no text, too long a text, a quote, or the parameter twice; 404 for an unknown tenant', async () => {
    for (const query of [
      '',
      '?search=',
      '?search=%20%20',
      `?search=${'a'.repeat(65)}`,
      '?search=a%22b',
      '?search=a%5C',
      '?search=a&search=b',
    ]) {
      const res = await t.client.api<{ errors: { field: string }[] }>('GET', `/tenants/${CONTOSO.id}/groups${query}`, {
        token: admin,
      });
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(res.body.errors.map((e) => e.field)).toContain('search');
    }
    const unknown = await t.client.api('GET', `/tenants/${UNKNOWN_TENANT}/groups?search=a`, { token: admin });
    expect(unknown.status).toBe(404);
  });
});

describe('GET /directory/principals?search=', () => {
  it("finds the home tenant's users by name or user principal name and its groups by name", async () => {
    const byName = await t.client.api<{ items: PrincipalMatch[] }>('GET', '/directory/principals?search=all', {
      token: admin,
    });
    expect(byName.status, byName.text).toBe(200);
    expect(byName.body.items).toContainEqual({
      type: 'group',
      id: HOME_GROUPS.allTechnicians.id,
      displayName: 'All technicians',
      userPrincipalName: null,
    });
    const byUpn = await t.client.api<{ items: PrincipalMatch[] }>('GET', '/directory/principals?search=bob@msp', {
      token: admin,
    });
    expect(byUpn.body.items).toEqual([
      {
        type: 'user',
        id: HOME_USERS.bob.id,
        displayName: HOME_USERS.bob.displayName,
        userPrincipalName: 'bob@msp.example',
      },
    ]);
    const none = await t.client.api<{ items: PrincipalMatch[] }>('GET', '/directory/principals?search=zzzz', {
      token: admin,
    });
    expect(none.body.items).toEqual([]);
  });

  it('400 for a missing search or an unknown parameter', async () => {
    for (const query of ['', '?search=', '?search=al&top=5', '?search=%22']) {
      const res = await t.client.api('GET', `/directory/principals${query}`, { token: admin });
      expect(res.status, `${query}: ${res.text}`).toBe(400);
    }
  });
});
