import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { getRequestHttp, revealCredentialHttp, revokeRequestHttp, submitRequestHttp } from '../../src/http/requests';

df.app.client.http('submitRequest', { route: 'requests', methods: ['POST'], authLevel: 'anonymous', handler: submitRequestHttp });
app.http('getRequest', { route: 'requests/{id}', methods: ['GET'], authLevel: 'anonymous', handler: getRequestHttp });
app.http('revealCredential', { route: 'requests/{id}/credential', methods: ['POST'], authLevel: 'anonymous', handler: revealCredentialHttp });
df.app.client.http('revokeRequest', { route: 'requests/{id}/revoke', methods: ['POST'], authLevel: 'anonymous', handler: revokeRequestHttp });
