import { readinessQuerySchema } from '../../app/config/schemas';
import {
  consentUrlHttp,
  createTenantHttp,
  deleteTenantHttp,
  getTenantHttp,
  listTenantsHttp,
  patchTenantHttp,
  tenantReadinessHttp,
  verifyTenantHttp,
} from '../admin/tenants';
import { ADMIN_ERRORS, defineOperation, problems, queryParameters, type HttpOperation } from './operation';

/** Customer tenant connections. `tenants/readiness`, a literal segment, wins over {tenantId} (ASP.NET Core route precedence). */

export const TENANT_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'createTenant',
    method: 'POST',
    route: 'tenants',
    tag: 'tenants',
    summary: 'Connect a customer tenant',
    description:
      'The client secret (mode clientSecret) goes to Key Vault at once and is never returned. The connection is verified at once; a failing check does not undo the connection ' +
      '(consent or the directory role often comes later): fix what the checks say and POST …/verify. A `jitDomain` the tenant reports as federated is refused at once (400 naming it; nothing is stored).',
    access: 'admin',
    durableClient: false,
    requestBody: 'CreateTenantBody',
    responses: {
      '201': {
        description: 'Connected; verification results included',
        schema: 'TenantWithVerification',
        headers: ['Location', 'ETag'],
      },
      ...problems(400, ...ADMIN_ERRORS, 409),
    },
    handler: createTenantHttp,
  }),
  defineOperation({
    operationId: 'listTenants',
    method: 'GET',
    route: 'tenants',
    tag: 'tenants',
    summary: 'Connected tenants',
    access: 'admin',
    durableClient: false,
    responses: { '200': { description: 'Every connected tenant', schema: 'TenantList' }, ...problems(...ADMIN_ERRORS) },
    handler: listTenantsHttp,
  }),
  defineOperation({
    operationId: 'tenantReadiness',
    method: 'GET',
    route: 'tenants/readiness',
    tag: 'tenants',
    summary: "Every tenant's readiness in one list: which check fails, when it was last verified, the fix",
    description:
      'From the verification the service keeps per tenant (made on connect, on a PATCH of the connection or JIT domain, and by POST …/verify); nothing is checked again, so verify a tenant after fixing it. ' +
      'unverified: not verified since it was connected. A missing Privileged Authentication Administrator role is fixed by the one Graph PowerShell command the passwordResetRole check gives (assigning it through admin consent is not offered).',
    access: 'admin',
    durableClient: false,
    query: queryParameters(readinessQuerySchema, {
      status: 'Only the tenants in this state: ready, notReady or unverified',
    }),
    responses: {
      '200': { description: 'One row per connected tenant, with counts', schema: 'TenantReadinessList' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    handler: tenantReadinessHttp,
  }),
  defineOperation({
    operationId: 'getTenant',
    method: 'GET',
    route: 'tenants/{tenantId}',
    tag: 'tenants',
    summary: 'One tenant',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'The tenant', schema: 'Tenant', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    handler: getTenantHttp,
  }),
  defineOperation({
    operationId: 'patchTenant',
    method: 'PATCH',
    route: 'tenants/{tenantId}',
    tag: 'tenants',
    summary: 'Change a tenant (rotate its client secret by sending a new connection)',
    description:
      'Verified again when the connection or the JIT domain changes (the answer then includes `verification`). A new `jitDomain` the tenant reports as federated is refused (400 naming it). ' +
      'Adding to `protectedAccounts` a UPN that a live lease uses is refused (409 naming the lease): revoke the lease first.',
    access: 'admin',
    durableClient: false,
    conditional: true,
    requestBody: 'PatchTenantBody',
    responses: {
      '200': { description: 'Changed', schema: 'PatchedTenant', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412),
    },
    handler: patchTenantHttp,
  }),
  defineOperation({
    operationId: 'deleteTenant',
    method: 'DELETE',
    route: 'tenants/{tenantId}',
    tag: 'tenants',
    summary: 'Disconnect a tenant: its targets and secret go, rules lose their references',
    description:
      'Live leases refuse it (409 naming them) unless `force=true`, which asks each to revoke and waits up to 20 s for them to end. ' +
      'Nothing is deleted while a lease is still live: then the answer is 202 naming the pending leases; repeat the call once they have ended.',
    access: 'admin',
    durableClient: true,
    conditional: true,
    query: [
      {
        name: 'force',
        description: 'true: revoke live leases first',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    ],
    responses: {
      '200': { description: 'Deleted', schema: 'DeleteTenantResult' },
      '202': { description: 'Leases revoked but not all ended yet; nothing deleted', schema: 'DeleteTenantResult' },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412),
    },
    handler: deleteTenantHttp,
  }),
  defineOperation({
    operationId: 'verifyTenant',
    method: 'POST',
    route: 'tenants/{tenantId}/verify',
    tag: 'tenants',
    summary: 'Check the connection: sign-in, permissions, JIT domain, reads, directory role',
    description:
      'Each check is named with ok, what was found and, when it failed, how to fix it. Always answers 200; `ok` says whether every check passed.',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': {
        description: 'The checks',
        schema: 'Verification',
      },
      ...problems(...ADMIN_ERRORS, 404),
    },
    handler: verifyTenantHttp,
  }),
  defineOperation({
    operationId: 'tenantConsentUrl',
    method: 'GET',
    route: 'tenants/{tenantId}/consent-url',
    tag: 'tenants',
    summary: "The admin-consent link to send to the customer's Global Administrator",
    access: 'admin',
    durableClient: false,
    responses: { '200': { description: 'The link', schema: 'ConsentUrl' }, ...problems(...ADMIN_ERRORS, 404) },
    handler: consentUrlHttp,
  }),
];
