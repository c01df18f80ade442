import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { requireAdmin } from '../app/authorization';
import { withOverageGroups } from '../app/callerGroups';
import { getServices, type Services } from '../composition';
import { messageOf } from '../domain/errors';
import type { HttpOperation } from './operations/operation';
import { problemResponse, toProblem, type ChallengeOptions } from './problem';

/**
 * Runs an operation of the table: authenticates the caller as its `access` says (an admin
 * operation checks Jit.Admin before anything else is read: 403 first, not 400), turns every error
 * into problem+json, and logs failures with the invocation's ids (never a body, header or token).
 */
export async function serveOperation(
  operation: HttpOperation,
  request: HttpRequest,
  context: InvocationContext,
  client?: DurableClient,
): Promise<HttpResponseInit> {
  return withProblems(request, context, async (services) => {
    const call = { request, context, services, ...(client !== undefined ? { client } : {}) };
    if (operation.access === 'anonymous' || operation.access === 'signature') return operation.handler(call);
    const token = await services.tokens.validate(request.headers.get('authorization'));
    const caller = await withOverageGroups(services.deps, token);
    if (operation.access === 'admin') requireAdmin(caller);
    return operation.handler({ ...call, caller });
  });
}

async function withProblems(
  request: HttpRequest,
  context: InvocationContext,
  handle: (services: Services) => Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  try {
    return await handle(getServices());
  } catch (error) {
    // Parsed here, not on every call: only a problem names its instance.
    const instance = new URL(request.url).pathname;
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
    return problemResponse(error, instance, challengeOptions());
  }
}

/** The home tenant's authorize endpoint, for a claims challenge; none when settings are not loaded. */
function challengeOptions(): ChallengeOptions | undefined {
  try {
    const { settings } = getServices();
    const authority = settings.JIT_AUTHORITY_HOST.replace(/\/+$/, '');
    return {
      realm: settings.JIT_HOME_TENANT_ID,
      authorizationUri: `${authority}/${settings.JIT_HOME_TENANT_ID}/oauth2/v2.0/authorize`,
    };
  } catch {
    return undefined;
  }
}

/** Name and message only: our messages never hold secrets; SDK errors are cut short. */
function errorSummary(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${messageOf(error)}`.slice(0, 500) : 'non-Error thrown';
}
