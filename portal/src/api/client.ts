import createClient, { type Middleware } from 'openapi-fetch';
import { claimsRequestOf } from './claimsChallenge';
import type { paths } from './schema';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** A token that satisfies the API's claims request (the stronger sign-in a target asks for). */
export type StepUp = (claimsRequest: string) => Promise<string>;

/**
 * The typed client generated from the API's OpenAPI document, with the signed-in person's token on
 * every call. A claims challenge (step-up) gets a token for its claims request from `stepUp` and the
 * call is sent once more with it; the API keeps no step-up refusal, so the retry is the first attempt.
 */
export function createApiClient(apiBaseUrl: string, token: () => Promise<string>, stepUp?: StepUp): ApiClient {
  const client = createClient<paths>({ baseUrl: apiBaseUrl.replace(/\/$/, '') });
  // Each call's request as it was before fetch read its body, for the one retry after a challenge.
  const unsent = new Map<string, Request>();
  const authorize: Middleware = {
    async onRequest({ request, id }) {
      request.headers.set('Authorization', `Bearer ${await token()}`);
      if (stepUp !== undefined) unsent.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const original = unsent.get(id);
      unsent.delete(id);
      const claimsRequest = await claimsRequestOf(response);
      if (stepUp === undefined || original === undefined || claimsRequest === undefined) return response;
      const retry = new Request(original);
      retry.headers.set('Authorization', `Bearer ${await stepUp(claimsRequest)}`);
      return fetch(retry);
    },
    onError({ id }) {
      unsent.delete(id);
    },
  };
  client.use(authorize);
  return client;
}
