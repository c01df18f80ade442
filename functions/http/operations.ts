import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { serveOperation } from '../../src/http/endpoint';
import { HTTP_OPERATIONS } from '../../src/http/operations';

// Every HTTP operation of the table (src/http/operations), under its Azure function name and route.
// Authentication is in-app (Entra tokens, webhook signatures), so the host's key check is off.
for (const operation of HTTP_OPERATIONS) {
  const trigger = { route: operation.route, methods: [operation.method], authLevel: 'anonymous' as const };
  if (operation.durableClient)
    df.app.client.http(operation.functionName, {
      ...trigger,
      handler: (request, client, context) => serveOperation(operation, request, context, client),
    });
  else
    app.http(operation.functionName, {
      ...trigger,
      handler: (request, context) => serveOperation(operation, request, context),
    });
}
