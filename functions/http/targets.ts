import { app } from '@azure/functions';
import {
  createTargetHttp,
  deleteTargetHttp,
  getTargetHttp,
  listTargetsHttp,
  patchTargetHttp,
} from '../../src/http/admin/targets';

app.http('createTarget', {
  route: 'tenants/{tenantId}/targets',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: createTargetHttp,
});
app.http('listTargets', {
  route: 'tenants/{tenantId}/targets',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listTargetsHttp,
});
app.http('getTarget', {
  route: 'tenants/{tenantId}/targets/{targetId}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getTargetHttp,
});
app.http('patchTarget', {
  route: 'tenants/{tenantId}/targets/{targetId}',
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: patchTargetHttp,
});
app.http('deleteTarget', {
  route: 'tenants/{tenantId}/targets/{targetId}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: deleteTargetHttp,
});
