import { app } from '@azure/functions';
import { createIntegrationHttp, listIntegrationsHttp } from '../../src/http/integrations';

app.http('createIntegration', { route: 'integrations', methods: ['POST'], authLevel: 'anonymous', handler: createIntegrationHttp });
app.http('listIntegrations', { route: 'integrations', methods: ['GET'], authLevel: 'anonymous', handler: listIntegrationsHttp });
