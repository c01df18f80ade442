import {
  CONTOSO,
  FABRIKAM,
  HOME_GROUPS,
  HOME_TENANT_ID,
  HOME_USERS,
  NORTHWIND_TENANT_ID,
  ROLE_TEMPLATES,
} from '../../local/sandbox/seed';

/**
 * One example request per operation of the API, replayed in this order against the local stack's
 * seed by test/e2e/openapi.test.ts (the catalogue in src/http/operations carries schemas, this file
 * the values). Contoso is connected with target `helpdesk-admin`, and the home tenant (msp.example)
 * is connected too (webhook technicians are looked up there); carol@msp.example is the admin,
 * bob@msp.example an approver, alice@msp.example and dave@msp.example are technicians ("All
 * technicians"). A path or query parameter written `$response.<operationId>#/<field>` takes that
 * field of the answer to an earlier example. The story: a target needing approval and a rule for
 * all technicians are made; alice asks for it, bob approves, alice reveals the credential, extends
 * and ends the lease; a ticketing integration asks for dave and bob denies; the audit trail is read
 * and verified; the configuration is removed; the reconciler runs.
 */
export interface ApiExample {
  readonly operationId: string;
  /** Who sends it: the seeded admin (carol), an approver (bob), a technician (alice), or nobody (no token). */
  readonly caller: 'admin' | 'approver' | 'technician' | null;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** Request headers sent as they are (e.g. Idempotency-Key). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /**
   * Signed webhook: a `$response` reference to the signing secret. The sender sets X-Jit-Timestamp
   * to the current unix time and X-Jit-Signature over that timestamp and the body exactly as sent.
   */
  readonly signedWith?: string;
  readonly status: number;
  /** The answer depends on a lease reaching a state: repeat for a while until this status comes. */
  readonly retryUntilStatus?: boolean;
}

const CONTOSO_ID = CONTOSO.id;
const FABRIKAM_ID = FABRIKAM.id;
const ALL_TECHNICIANS = HOME_GROUPS.allTechnicians.id;
const TARGET = 'user-admin';
const RULE = 'technicians-user-admin';
const TEMPLATE = 'helpdesk-standard';
const TEMPLATE_BODY = {
  name: 'Helpdesk (standard)',
  kind: 'adminAccount',
  roles: [ROLE_TEMPLATES.helpdeskAdministrator],
  groups: ['JIT Helpdesk Operators'],
  maxDuration: 'PT4H',
  applyTo: { allTenants: true },
  applyToNewTenants: true,
};
const SUBMITTED = '$response.submitRequest#/id';
const INTEGRATION = '$response.createIntegration#/integrationId';

export const API_EXAMPLES: readonly ApiExample[] = [
  { operationId: 'health', caller: null, status: 200 },
  { operationId: 'openApi', caller: null, status: 200 },
  // Fabrikam in federated mode, which the local stack cannot sign in with: its verification shows how a failure reads.
  {
    operationId: 'createTenant',
    caller: 'admin',
    body: {
      tenantId: FABRIKAM_ID,
      displayName: 'Fabrikam',
      jitDomain: 'fabrikam.example',
      protectedAccounts: ['breakglass@fabrikam.example'],
      tags: ['gold'],
      connection: { mode: 'federated' },
    },
    status: 201,
  },
  { operationId: 'listTenants', caller: 'admin', status: 200 },
  { operationId: 'tenantReadiness', caller: 'admin', query: { status: 'notReady' }, status: 200 },
  { operationId: 'getTenant', caller: 'admin', pathParams: { tenantId: FABRIKAM_ID }, status: 200 },
  {
    operationId: 'patchTenant',
    caller: 'admin',
    pathParams: { tenantId: FABRIKAM_ID },
    body: { displayName: 'Fabrikam Ltd', tags: ['gold', 'region-eu'] },
    status: 200,
  },
  { operationId: 'verifyTenant', caller: 'admin', pathParams: { tenantId: CONTOSO_ID }, status: 200 },
  { operationId: 'tenantConsentUrl', caller: 'admin', pathParams: { tenantId: FABRIKAM_ID }, status: 200 },
  { operationId: 'listGdapCustomers', caller: 'admin', status: 200 },
  // Fabrikam is connected above (its line: 200, already connected); Northwind's relationship expired (409).
  {
    operationId: 'connectGdapCustomers',
    caller: 'admin',
    headers: { 'Idempotency-Key': 'gdap-connect-example-1' },
    body: {
      customers: [
        { tenantId: FABRIKAM_ID, jitDomain: 'fabrikam.example', connection: { mode: 'federated' } },
        { tenantId: NORTHWIND_TENANT_ID, jitDomain: 'northwind.example', connection: { mode: 'federated' } },
      ],
    },
    status: 200,
  },
  { operationId: 'listRoleDefinitions', caller: 'admin', pathParams: { tenantId: CONTOSO_ID }, status: 200 },
  {
    operationId: 'searchTenantGroups',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID },
    query: { search: 'operators' },
    status: 200,
  },
  { operationId: 'searchPrincipals', caller: 'admin', query: { search: 'all tech' }, status: 200 },
  {
    operationId: 'createTarget',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID },
    body: {
      targetId: TARGET,
      name: 'User administrator',
      kind: 'adminAccount',
      roles: [{ templateId: ROLE_TEMPLATES.userAdministrator }],
      defaultDuration: 'PT1H',
      minDuration: 'PT15M',
      maxDuration: 'PT4H',
      requireJustification: true,
      approval: { mode: 'required', deadline: 'PT1H' },
      maxScheduleAhead: 'P14D',
      accessDetails: 'Sign in at https://entra.microsoft.com; the account is disabled again when the lease ends.',
    },
    status: 201,
  },
  { operationId: 'listTargets', caller: 'admin', pathParams: { tenantId: CONTOSO_ID }, status: 200 },
  { operationId: 'getTarget', caller: 'admin', pathParams: { tenantId: CONTOSO_ID, targetId: TARGET }, status: 200 },
  {
    operationId: 'patchTarget',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID, targetId: TARGET },
    body: {
      roles: [{ templateId: ROLE_TEMPLATES.userAdministrator }, { templateId: ROLE_TEMPLATES.helpdeskAdministrator }],
      maxDuration: 'PT2H',
    },
    status: 200,
  },
  {
    operationId: 'createTemplate',
    caller: 'admin',
    body: { templateId: TEMPLATE, ...TEMPLATE_BODY },
    status: 201,
  },
  { operationId: 'listTemplates', caller: 'admin', status: 200 },
  { operationId: 'getTemplate', caller: 'admin', pathParams: { templateId: TEMPLATE }, status: 200 },
  {
    operationId: 'replaceTemplate',
    caller: 'admin',
    pathParams: { templateId: TEMPLATE },
    body: { ...TEMPLATE_BODY, requireTicket: true },
    status: 200,
  },
  {
    operationId: 'applyTemplate',
    caller: 'admin',
    pathParams: { templateId: TEMPLATE },
    body: { tenants: [CONTOSO_ID] },
    status: 200,
  },
  { operationId: 'templateTenants', caller: 'admin', pathParams: { templateId: TEMPLATE }, status: 200 },
  { operationId: 'deleteTemplate', caller: 'admin', pathParams: { templateId: TEMPLATE }, status: 200 },
  {
    operationId: 'createRule',
    caller: 'admin',
    body: {
      ruleId: RULE,
      description: 'All technicians may be User administrator in Contoso for up to an hour (the target needs approval)',
      principal: { type: 'group', id: ALL_TECHNICIANS },
      scope: { targets: [{ tenantId: CONTOSO_ID, targetId: TARGET }] },
      maxDuration: 'PT1H',
    },
    status: 201,
  },
  { operationId: 'listRules', caller: 'admin', status: 200 },
  { operationId: 'getRule', caller: 'admin', pathParams: { ruleId: RULE }, status: 200 },
  {
    operationId: 'replaceRule',
    caller: 'admin',
    pathParams: { ruleId: RULE },
    body: {
      description:
        'All technicians may be User administrator in Contoso for up to 90 minutes (the target needs approval)',
      principal: { type: 'group', id: ALL_TECHNICIANS },
      scope: { targets: [{ tenantId: CONTOSO_ID, targetId: TARGET }] },
      maxDuration: 'PT1H30M',
    },
    status: 200,
  },
  { operationId: 'listEntitlements', caller: 'technician', status: 200 },
  {
    operationId: 'checkEntitlement',
    caller: 'technician',
    body: { tenantId: CONTOSO_ID, targetId: TARGET, duration: 'PT1H' },
    status: 200,
  },
  {
    operationId: 'submitRequest',
    caller: 'technician',
    headers: { 'Idempotency-Key': 'portal-7f3c9a2e-0001' },
    body: {
      tenantId: CONTOSO_ID,
      targetId: TARGET,
      duration: 'PT15M',
      justification: 'Reset MFA for a Contoso user (ticket T-4702)',
    },
    status: 202,
  },
  { operationId: 'getRequest', caller: 'technician', pathParams: { id: SUBMITTED }, status: 200 },
  {
    operationId: 'listRequests',
    caller: 'approver',
    query: { awaiting: 'me', tenantId: CONTOSO_ID, limit: '20' },
    status: 200,
  },
  {
    operationId: 'approveRequest',
    caller: 'approver',
    pathParams: { id: SUBMITTED },
    body: { comment: 'OK for T-4702' },
    status: 202,
  },
  {
    operationId: 'revealCredential',
    caller: 'technician',
    pathParams: { id: SUBMITTED },
    status: 200,
    retryUntilStatus: true,
  },
  {
    operationId: 'extendRequest',
    caller: 'technician',
    pathParams: { id: SUBMITTED },
    body: { duration: 'PT15M' },
    status: 202,
  },
  {
    operationId: 'revokeRequest',
    caller: 'technician',
    pathParams: { id: SUBMITTED },
    body: { reason: 'Done' },
    status: 202,
  },
  { operationId: 'createIntegration', caller: 'admin', body: { name: 'ServiceDesk PSA' }, status: 201 },
  { operationId: 'listIntegrations', caller: 'admin', status: 200 },
  {
    operationId: 'receiveWebhook',
    caller: null,
    signedWith: '$response.createIntegration#/signingSecret',
    pathParams: { integrationId: INTEGRATION },
    body: {
      deliveryId: 'psa-delivery-000118',
      type: 'access.requested',
      ticket: 'T-4711',
      technician: { userPrincipalName: HOME_USERS.dave.userPrincipalName },
      tenantId: CONTOSO_ID,
      targetId: TARGET,
      duration: 'PT30M',
      justification: 'Ticket T-4711: unlock a Contoso user',
    },
    status: 202,
  },
  // Only the Bot Connector holds a Bot Framework token (test/e2e/teamsApprovals.test.ts sends signed
  // activities through the sandbox); without one, an activity is refused.
  {
    operationId: 'receiveBotActivity',
    caller: null,
    body: {
      type: 'invoke',
      name: 'adaptiveCard/action',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
      from: { id: `29:${HOME_USERS.bob.id}`, aadObjectId: HOME_USERS.bob.id },
      conversation: { id: 'a:1example', conversationType: 'personal' },
      channelData: { tenant: { id: HOME_TENANT_ID } },
      value: {
        action: { type: 'Action.Execute', verb: 'approve', data: { requestId: '$response.submitRequest#/id' } },
      },
    },
    status: 401,
  },
  { operationId: 'getIntegration', caller: 'admin', pathParams: { integrationId: INTEGRATION }, status: 200 },
  {
    operationId: 'patchIntegration',
    caller: 'admin',
    pathParams: { integrationId: INTEGRATION },
    body: { name: 'ServiceDesk PSA (EU)', rotateSecret: { overlap: 'PT1H' } },
    status: 200,
  },
  {
    operationId: 'denyRequest',
    caller: 'approver',
    pathParams: { id: '$response.receiveWebhook#/requestId' },
    body: { comment: 'Not during the change freeze' },
    status: 202,
  },
  { operationId: 'listAudit', caller: 'admin', query: { requestId: SUBMITTED, limit: '50' }, status: 200 },
  { operationId: 'verifyAudit', caller: 'admin', query: { tenantId: CONTOSO_ID }, status: 200 },
  {
    operationId: 'getCustomerReport',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID },
    // The last week, to a minute from now: the story's lease is in it.
    query: {
      from: new Date(Date.now() - 7 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    },
    status: 200,
  },
  {
    operationId: 'putReportSettings',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID },
    body: { reportContact: 'it-contact@contoso.example', reportMonthly: true },
    status: 200,
  },
  { operationId: 'getReportSettings', caller: 'admin', pathParams: { tenantId: CONTOSO_ID }, status: 200 },
  { operationId: 'deleteIntegration', caller: 'admin', pathParams: { integrationId: INTEGRATION }, status: 204 },
  { operationId: 'deleteRule', caller: 'admin', pathParams: { ruleId: RULE }, status: 204 },
  // Waits for the lease revoked above to end: until then the target has a live lease (409).
  {
    operationId: 'deleteTarget',
    caller: 'admin',
    pathParams: { tenantId: CONTOSO_ID, targetId: TARGET },
    status: 204,
    retryUntilStatus: true,
  },
  { operationId: 'deleteTenant', caller: 'admin', pathParams: { tenantId: FABRIKAM_ID }, status: 200 },
  { operationId: 'reconcile', caller: 'admin', status: 200 },
];

export function exampleOf(operationId: string): ApiExample | undefined {
  return API_EXAMPLES.find((e) => e.operationId === operationId);
}
