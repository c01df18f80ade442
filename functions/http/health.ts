import * as df from 'durable-functions';
import { healthHttp } from '../../src/http/health';

df.app.client.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHttp });
