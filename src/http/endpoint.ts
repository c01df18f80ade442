import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { requireAdmin } from '../app/authorization';
import { withOverageGroups } from '../app/callerGroups';
import { toProblem } from '../app/problem';
import { getServices, type Services } from '../composition';
import type { Caller } from '../domain/caller';
import { problemResponse } from './respond';

/**
 * Runs an API handler: authenticates the caller, turns every error into problem+json, and logs
 * failures with the invocation's ids (never a body, header or token).
 */
export async function authenticated(
  request: HttpRequest,
  context: InvocationContext,
  handle: (caller: Caller, services: Services) => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  return anonymous(request, context, async (services) => {
    const caller = await services.tokens.validate(request.headers.get('authorization'));
    return handle(await withOverageGroups(services.deps, caller), services);
  });
}

/** An admin endpoint: authenticated, and Jit.Admin before anything else is read (403 first, not 400). */
export async function asAdmin(
  request: HttpRequest,
  context: InvocationContext,
  handle: (caller: Caller, services: Services) => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  return authenticated(request, context, async (caller, services) => {
    requireAdmin(caller);
    return handle(caller, services);
  });
}

export async function anonymous(
  request: HttpRequest,
  context: InvocationContext,
  handle: (services: Services) => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  const instance = new URL(request.url).pathname;
  try {
    return await handle(getServices());
  } catch (error) {
    const problem = toProblem(error, instance);
    if (problem.status >= 500) {
      context.error(
        JSON.stringify({
          event: 'request_failed',
          function: context.functionName,
          invocationId: context.invocationId,
          status: problem.status,
          error: errorSummary(error),
        }),
      );
    } else {
      context.log(
        JSON.stringify({
          event: 'request_refused',
          function: context.functionName,
          invocationId: context.invocationId,
          status: problem.status,
        }),
      );
    }
    return problemResponse(error, instance);
  }
}

/** Name and message only: our messages never hold secrets; SDK errors are cut short. */
function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return 'non-Error thrown';
}
