import { app } from '@azure/functions';
import { openApiHttp } from '../../src/http/openapi';

app.http('openApi', { route: 'openapi.json', methods: ['GET'], authLevel: 'anonymous', handler: openApiHttp });
