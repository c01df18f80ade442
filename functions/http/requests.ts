import { app } from '@azure/functions';
import * as df from 'durable-functions';
import {
  approveRequestHttp,
  denyRequestHttp,
  extendRequestHttp,
  getRequestHttp,
  listRequestsHttp,
  revealCredentialHttp,
  revokeRequestHttp,
  submitRequestHttp,
} from '../../src/http/requests';

df.app.client.http('submitRequest', {
  route: 'requests',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: submitRequestHttp,
});
app.http('getRequest', { route: 'requests/{id}', methods: ['GET'], authLevel: 'anonymous', handler: getRequestHttp });
app.http('revealCredential', {
  route: 'requests/{id}/credential',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: revealCredentialHttp,
});
df.app.client.http('revokeRequest', {
  route: 'requests/{id}/revoke',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: revokeRequestHttp,
});
app.http('listRequests', { route: 'requests', methods: ['GET'], authLevel: 'anonymous', handler: listRequestsHttp });
df.app.client.http('approveRequest', {
  route: 'requests/{id}/approve',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: approveRequestHttp,
});
df.app.client.http('denyRequest', {
  route: 'requests/{id}/deny',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: denyRequestHttp,
});
df.app.client.http('extendRequest', {
  route: 'requests/{id}/extend',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: extendRequestHttp,
});
