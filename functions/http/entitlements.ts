import { app } from '@azure/functions';
import { checkEntitlementHttp, listEntitlementsHttp } from '../../src/http/admin/entitlements';

app.http('listEntitlements', {
  route: 'entitlements',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listEntitlementsHttp,
});
app.http('checkEntitlement', {
  route: 'entitlements/check',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: checkEntitlementHttp,
});
