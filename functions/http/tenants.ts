import { app } from '@azure/functions';
import * as df from 'durable-functions';
import {
  consentUrlHttp,
  createTenantHttp,
  deleteTenantHttp,
  getTenantHttp,
  listTenantsHttp,
  patchTenantHttp,
  tenantReadinessHttp,
  verifyTenantHttp,
} from '../../src/http/admin/tenants';

app.http('createTenant', { route: 'tenants', methods: ['POST'], authLevel: 'anonymous', handler: createTenantHttp });
app.http('listTenants', { route: 'tenants', methods: ['GET'], authLevel: 'anonymous', handler: listTenantsHttp });
// A literal segment wins over {tenantId} (ASP.NET Core route precedence), so this is not read as a tenant id.
app.http('tenantReadiness', {
  route: 'tenants/readiness',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: tenantReadinessHttp,
});
app.http('getTenant', {
  route: 'tenants/{tenantId}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getTenantHttp,
});
app.http('patchTenant', {
  route: 'tenants/{tenantId}',
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: patchTenantHttp,
});
// DELETE ?force=true raises `revoke` at live leases' orchestrations: it needs the Durable client.
df.app.client.http('deleteTenant', {
  route: 'tenants/{tenantId}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: deleteTenantHttp,
});
app.http('verifyTenant', {
  route: 'tenants/{tenantId}/verify',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: verifyTenantHttp,
});
app.http('tenantConsentUrl', {
  route: 'tenants/{tenantId}/consent-url',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: consentUrlHttp,
});
