import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  functionsWithTrigger,
  installFunctionsCore,
  triggerBinding,
  type RegisteredFunction,
} from '../../local/host/functionsCore';
import { ROUTE_PREFIX } from '../../local/host/httpFunctions';
import { httpRegistrationProblems } from '../../local/host/httpRouteRules';
import { openApiDocument } from '../../src/http/openapi';
import { HTTP_OPERATIONS } from '../../src/http/operations';

/**
 * The operation table is the only place a route is declared: the function app registers exactly
 * its operations (by the Azure function names deployed today), and the OpenAPI document generated
 * from it is a valid OpenAPI 3.1 document.
 */
let httpFunctions: RegisteredFunction[];

beforeAll(async () => {
  const registry = installFunctionsCore();
  await import('../../functions/index.js');
  httpFunctions = functionsWithTrigger(registry, 'httpTrigger');
});

/** The Azure function names and routes deployed before the table existed: they must never change. */
const DEPLOYED_FUNCTIONS = {
  health: 'GET health',
  openApi: 'GET openapi.json',
  submitRequest: 'POST requests',
  listRequests: 'GET requests',
  getRequest: 'GET requests/{id}',
  revealCredential: 'POST requests/{id}/credential',
  revokeRequest: 'POST requests/{id}/revoke',
  approveRequest: 'POST requests/{id}/approve',
  denyRequest: 'POST requests/{id}/deny',
  extendRequest: 'POST requests/{id}/extend',
  receiveBotActivity: 'POST messages',
  receiveWebhook: 'POST webhooks/{integrationId}',
  createIntegration: 'POST integrations',
  listIntegrations: 'GET integrations',
  getIntegration: 'GET integrations/{integrationId}',
  patchIntegration: 'PATCH integrations/{integrationId}',
  deleteIntegration: 'DELETE integrations/{integrationId}',
  listAudit: 'GET audit',
  verifyAudit: 'GET audit/verify',
  getCustomerReport: 'GET tenants/{tenantId}/report',
  getReportSettings: 'GET tenants/{tenantId}/report-settings',
  putReportSettings: 'PUT tenants/{tenantId}/report-settings',
  createTenant: 'POST tenants',
  listTenants: 'GET tenants',
  tenantReadiness: 'GET tenants/readiness',
  getTenant: 'GET tenants/{tenantId}',
  patchTenant: 'PATCH tenants/{tenantId}',
  deleteTenant: 'DELETE tenants/{tenantId}',
  verifyTenant: 'POST tenants/{tenantId}/verify',
  tenantConsentUrl: 'GET tenants/{tenantId}/consent-url',
  listGdapCustomers: 'GET customers',
  connectGdapCustomers: 'POST customers/connect',
  createTarget: 'POST tenants/{tenantId}/targets',
  listTargets: 'GET tenants/{tenantId}/targets',
  getTarget: 'GET tenants/{tenantId}/targets/{targetId}',
  patchTarget: 'PATCH tenants/{tenantId}/targets/{targetId}',
  deleteTarget: 'DELETE tenants/{tenantId}/targets/{targetId}',
  createTemplate: 'POST templates',
  listTemplates: 'GET templates',
  getTemplate: 'GET templates/{templateId}',
  replaceTemplate: 'PUT templates/{templateId}',
  deleteTemplate: 'DELETE templates/{templateId}',
  applyTemplate: 'POST templates/{templateId}/apply',
  templateTenants: 'GET templates/{templateId}/tenants',
  listRoleDefinitions: 'GET tenants/{tenantId}/role-definitions',
  searchTenantGroups: 'GET tenants/{tenantId}/groups',
  searchPrincipals: 'GET directory/principals',
  createRule: 'POST rules',
  listRules: 'GET rules',
  getRule: 'GET rules/{ruleId}',
  replaceRule: 'PUT rules/{ruleId}',
  deleteRule: 'DELETE rules/{ruleId}',
  listEntitlements: 'GET entitlements',
  checkEntitlement: 'POST entitlements/check',
  runReconciler: 'POST ops/reconcile',
};

/** Those that start, signal or read orchestrations, and so are registered with the Durable client. */
const WITH_DURABLE_CLIENT = [
  'health',
  'submitRequest',
  'revokeRequest',
  'approveRequest',
  'denyRequest',
  'extendRequest',
  'receiveBotActivity',
  'receiveWebhook',
  'deleteTenant',
  'runReconciler',
];

describe('the operation table and the registrations', () => {
  it('registers every operation once, under its function name, with its route and method, and nothing else', () => {
    const registered = httpFunctions.map((fn) => {
      const { binding } = triggerBinding(fn);
      return [fn.name, `${(binding.methods as string[]).join(',')} ${String(binding.route)}`];
    });
    const fromTable = HTTP_OPERATIONS.map((op) => [op.functionName, `${op.method} ${op.route}`]);
    expect(Object.fromEntries(registered)).toEqual(Object.fromEntries(fromTable));
    expect(registered).toHaveLength(HTTP_OPERATIONS.length);
    expect(Object.fromEntries(registered)).toEqual(DEPLOYED_FUNCTIONS);
    expect(new Set(HTTP_OPERATIONS.map((op) => op.operationId)).size).toBe(HTTP_OPERATIONS.length);
  });

  it('gives the Durable client to exactly the operations declared with it, and leaves authentication in-app', () => {
    const withClient = httpFunctions
      .filter((fn) => Object.values(fn.metadata.bindings).some((b) => b.type === 'durableClient'))
      .map((fn) => fn.name);
    expect(withClient.sort()).toEqual(
      HTTP_OPERATIONS.filter((op) => op.durableClient)
        .map((op) => op.functionName)
        .sort(),
    );
    expect(withClient.sort()).toEqual([...WITH_DURABLE_CLIENT].sort());
    for (const fn of httpFunctions) expect(triggerBinding(fn).binding.authLevel, fn.name).toBe('anonymous');
  });

  it('registers only what the Functions host accepts (no built-in route, no overlapping route and method, valid templates)', () => {
    expect(httpRegistrationProblems(httpFunctions, ROUTE_PREFIX)).toEqual([]);
  });
});

/** openapi-typescript bundles and lints the document as it does before generating the portal's client. */
function lint(document: unknown): Promise<unknown> {
  return openapiTS(document as OpenAPI3, { silent: true });
}

describe('the OpenAPI document generated from the table', () => {
  it('documents each operation of the table at its path and method, with its access', () => {
    const doc = openApiDocument(HTTP_OPERATIONS) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    for (const op of HTTP_OPERATIONS) {
      const documented = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(documented?.operationId, `${op.method} ${op.path}`).toBe(op.operationId);
      // Every path parameter says what form of id it takes (a GUID or a slug), not just "a string".
      for (const parameter of (documented?.parameters as { in: string; name: string; schema: unknown }[] | undefined) ??
        [])
        if (parameter.in === 'path')
          expect(parameter.schema, `${op.operationId} {${parameter.name}}`).not.toEqual({ type: 'string' });
      expect(documented?.security, op.operationId).toEqual(
        op.access === 'caller' || op.access === 'admin' ? [{ entraId: [] }] : [],
      );
    }
    const documentedCount = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(documentedCount).toBe(HTTP_OPERATIONS.length);
  });

  it('passes the checks the portal client generator (openapi-typescript) applies: every $ref resolves, operationIds are unique', async () => {
    const document = openApiDocument(HTTP_OPERATIONS);
    await expect(lint(structuredClone(document))).resolves.toBeDefined();
    // The check is real: a dangling reference, or an operationId used twice, is refused.
    type Paths = Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    const dangling = structuredClone(document) as { paths: Paths };
    const health = dangling.paths['/health']?.get;
    if (health === undefined) throw new Error('GET /health is not documented');
    health.responses['200'] = {
      description: 'x',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } },
    };
    await expect(lint(dangling)).rejects.toThrow("Can't resolve $ref");
    const duplicate = structuredClone(document) as { paths: Paths };
    const audit = duplicate.paths['/audit']?.get;
    if (audit === undefined) throw new Error('GET /audit is not documented');
    audit.operationId = 'health';
    await expect(lint(duplicate)).rejects.toThrow('unique `operationId`');
  });
});
