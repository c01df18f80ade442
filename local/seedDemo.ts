import { CONTOSO, HOME_GROUPS, HOME_TENANT, HOME_USERS, ROLE_TEMPLATES, seedAppOf } from './sandbox/seed';

export const DEMO_TARGET_ID = 'helpdesk-admin';
export const DEMO_RULE_ID = 'all-technicians-helpdesk';
/** Contoso, approval by any Jit.Approver (bob). */
export const DEMO_APPROVAL_TARGET_ID = 'helpdesk-admin-approved';
/** The home tenant: the technician's own account joins "MSP Tier 2 elevated" and gets Security Reader. */
export const DEMO_ELEVATION_TARGET_ID = 'tier2-elevation';
export const DEMO_WORKFLOW_RULE_ID = 'all-technicians-approved-and-elevation';

/**
 * The walkthrough's configuration, made the way an admin makes it: through the admin API, as
 * carol@msp.example (Jit.Admin) with a sandbox token, once the host answers. contoso.example is
 * connected with its app's client secret (which goes to the sandbox's Key Vault), the "Helpdesk
 * admin" target is defined, and a rule lets "All technicians" request it. Idempotent: what exists
 * is left alone, so a restart of `npm start` over persisted state changes nothing.
 */
export interface SeedEndpoints {
  readonly apiBaseUrl: string;
  readonly sandboxUrl: string;
}

/**
 * `base`: the walkthrough's Contoso tenant, target and rule (what the end-to-end tests build on).
 * `full` (`npm start`): also the home tenant msp.example connected with its app's credentials (as
 * elevation and ticketing webhooks need), a Contoso target that needs approval, an elevation
 * target in the home tenant, and a rule giving both to "All technicians", so approval, elevation
 * and the ticketing webhook can all be tried at once.
 */
export type DemoSeed = 'base' | 'full';

export async function seedDemoThroughApi(endpoints: SeedEndpoints, seed: DemoSeed = 'base'): Promise<void> {
  const token = await adminToken(endpoints.sandboxUrl);
  const api: Api = (method, path, body) => call(endpoints.apiBaseUrl, token, method, path, body);

  if ((await api('GET', `/tenants/${CONTOSO.id}`)).status === 404) {
    const app = seedAppOf(CONTOSO);
    await expectCreated(
      api('POST', '/tenants', {
        tenantId: CONTOSO.id,
        displayName: CONTOSO.displayName,
        jitDomain: 'contoso.example',
        protectedAccounts: CONTOSO.users.filter((u) => u.protected === true).map((u) => u.userPrincipalName),
        connection: { mode: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret },
      }),
      'tenant contoso.example',
    );
  }
  if ((await api('GET', `/tenants/${CONTOSO.id}/targets/${DEMO_TARGET_ID}`)).status === 404) {
    await expectCreated(
      api('POST', `/tenants/${CONTOSO.id}/targets`, {
        targetId: DEMO_TARGET_ID,
        name: 'Helpdesk admin',
        kind: 'adminAccount',
        roles: [{ templateId: ROLE_TEMPLATES.userAdministrator }, { templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
        defaultDuration: 'PT4H',
        minDuration: 'PT30S',
        maxDuration: 'PT8H',
        accessDetails:
          'Sign in at https://entra.microsoft.com with the account below; it is disabled again when the lease ends.',
      }),
      `target ${DEMO_TARGET_ID}`,
    );
  }
  if ((await api('GET', `/rules/${DEMO_RULE_ID}`)).status === 404) {
    await expectCreated(
      api('POST', '/rules', {
        ruleId: DEMO_RULE_ID,
        description: 'All technicians may request Helpdesk admin in Contoso',
        principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        scope: { targets: [{ tenantId: CONTOSO.id, targetId: DEMO_TARGET_ID }] },
      }),
      `rule ${DEMO_RULE_ID}`,
    );
  }
  if (seed === 'full') await seedWorkflows(api);
}

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; text: string }>;

async function seedWorkflows(api: Api): Promise<void> {
  if ((await api('GET', `/tenants/${HOME_TENANT.id}`)).status === 404) {
    const app = seedAppOf(HOME_TENANT);
    await expectCreated(
      api('POST', '/tenants', {
        tenantId: HOME_TENANT.id,
        displayName: 'MSP (home)',
        jitDomain: 'msp.example',
        connection: { mode: 'clientSecret', clientId: app.clientId, clientSecret: app.clientSecret },
      }),
      'tenant msp.example',
    );
  }
  if ((await api('GET', `/tenants/${CONTOSO.id}/targets/${DEMO_APPROVAL_TARGET_ID}`)).status === 404) {
    await expectCreated(
      api('POST', `/tenants/${CONTOSO.id}/targets`, {
        targetId: DEMO_APPROVAL_TARGET_ID,
        name: 'Helpdesk admin (approved)',
        kind: 'adminAccount',
        roles: [{ templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
        defaultDuration: 'PT1H',
        minDuration: 'PT30S',
        maxDuration: 'PT8H',
        approval: { mode: 'required', approvers: [], deadline: 'PT1H' },
        requireJustification: true,
        accessDetails: 'Approved access: sign in at https://entra.microsoft.com with the account below.',
      }),
      `target ${DEMO_APPROVAL_TARGET_ID}`,
    );
  }
  if ((await api('GET', `/tenants/${HOME_TENANT.id}/targets/${DEMO_ELEVATION_TARGET_ID}`)).status === 404) {
    await expectCreated(
      api('POST', `/tenants/${HOME_TENANT.id}/targets`, {
        targetId: DEMO_ELEVATION_TARGET_ID,
        name: 'Tier 2 elevation',
        kind: 'elevation',
        roles: [{ templateId: ROLE_TEMPLATES.securityReader }],
        groups: [{ id: HOME_GROUPS.tier2.id }],
        defaultDuration: 'PT1H',
        minDuration: 'PT30S',
        maxDuration: 'PT4H',
      }),
      `target ${DEMO_ELEVATION_TARGET_ID}`,
    );
  }
  if ((await api('GET', `/rules/${DEMO_WORKFLOW_RULE_ID}`)).status === 404) {
    await expectCreated(
      api('POST', '/rules', {
        ruleId: DEMO_WORKFLOW_RULE_ID,
        description:
          'All technicians may request Helpdesk admin in Contoso with approval, and Tier 2 elevation at home',
        principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
        scope: {
          targets: [
            { tenantId: CONTOSO.id, targetId: DEMO_APPROVAL_TARGET_ID },
            { tenantId: HOME_TENANT.id, targetId: DEMO_ELEVATION_TARGET_ID },
          ],
        },
      }),
      `rule ${DEMO_WORKFLOW_RULE_ID}`,
    );
  }
}

async function adminToken(sandboxUrl: string): Promise<string> {
  const response = await fetch(`${sandboxUrl}/_sandbox/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: HOME_USERS.carol.userPrincipalName }),
  });
  if (!response.ok)
    throw new Error(
      `seeding the demo: the sandbox refused a token for ${HOME_USERS.carol.userPrincipalName} (${response.status})`,
    );
  const body = (await response.json()) as { access_token?: unknown };
  if (typeof body.access_token !== 'string')
    throw new Error('seeding the demo: the sandbox answered without an access token');
  return body.access_token;
}

async function call(
  apiBaseUrl: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${apiBaseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}

/** 201, or 409 when a concurrent start made it first. Never echoes the request (it holds the secret). */
async function expectCreated(response: Promise<{ status: number; text: string }>, what: string): Promise<void> {
  const { status, text } = await response;
  if (status !== 201 && status !== 409)
    throw new Error(`seeding the demo: creating ${what} answered ${status}: ${text.slice(0, 500)}`);
}
