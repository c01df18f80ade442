import { app } from '@azure/functions';
import { healthHttp } from '../../src/http/health';

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHttp });
