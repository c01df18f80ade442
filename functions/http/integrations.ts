import { app } from '@azure/functions';
import {
  createIntegrationHttp,
  deleteIntegrationHttp,
  getIntegrationHttp,
  listIntegrationsHttp,
  patchIntegrationHttp,
} from '../../src/http/integrations';

app.http('createIntegration', {
  route: 'integrations',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: createIntegrationHttp,
});
app.http('listIntegrations', {
  route: 'integrations',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listIntegrationsHttp,
});
app.http('getIntegration', {
  route: 'integrations/{integrationId}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getIntegrationHttp,
});
app.http('patchIntegration', {
  route: 'integrations/{integrationId}',
  methods: ['PATCH'],
  authLevel: 'anonymous',
  handler: patchIntegrationHttp,
});
app.http('deleteIntegration', {
  route: 'integrations/{integrationId}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: deleteIntegrationHttp,
});
