import * as df from 'durable-functions';
import { receiveWebhookHttp } from '../../src/http/webhooks';

df.app.client.http('receiveWebhook', {
  route: 'webhooks/{integrationId}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: receiveWebhookHttp,
});
