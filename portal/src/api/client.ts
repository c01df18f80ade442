import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** The typed client generated from the API's OpenAPI document, with the signed-in person's token on every call. */
export function createApiClient(apiBaseUrl: string, token: () => Promise<string>): ApiClient {
  const client = createClient<paths>({ baseUrl: apiBaseUrl.replace(/\/$/, '') });
  const authorize: Middleware = {
    async onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${await token()}`);
      return request;
    },
  };
  client.use(authorize);
  return client;
}
