import type { IncomingMessage, ServerResponse } from 'node:http';
import { functionsWithTrigger, type FunctionRegistry } from './functionsCore';
import { readBody, RequestTooLargeError, toHttpRequest, writeHandlerResult, writePlain } from './httpAdapter';
import { HttpRouter } from './httpRouter';
import { httpTriggerSettings } from './httpRouteRules';
import { createInvocationContext, type DurableClientBindingData } from './invocation';
import { invokeFunction } from './invoke';
import { errorDetails, type HostLogger } from './logging';

/** host.json `extensions.http.routePrefix`. */
export const ROUTE_PREFIX = 'api';

export interface HttpFunctionsOptions {
  readonly registry: FunctionRegistry;
  readonly logger: HostLogger;
  readonly durableClient: DurableClientBindingData;
}

/**
 * Serves `/api/...` by invoking the matching `httpTrigger` function. The local host has no function
 * keys, so a function whose authLevel is not `anonymous` answers 401, as Azure does to a caller
 * without a key.
 */
export class HttpFunctions {
  private readonly router: HttpRouter;

  constructor(private readonly options: HttpFunctionsOptions) {
    this.router = new HttpRouter(functionsWithTrigger(options.registry, 'httpTrigger'));
  }

  /** Returns false when the path is not under the route prefix. */
  handles(url: URL): boolean {
    const path = url.pathname.toLowerCase();
    return path === `/${ROUTE_PREFIX}` || path.startsWith(`/${ROUTE_PREFIX}/`);
  }

  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const match = this.router.match(method, url.pathname.slice(ROUTE_PREFIX.length + 1));
    if (match.kind === 'notFound') {
      writePlain(res, 404);
      return;
    }
    if (match.kind === 'methodNotAllowed') {
      writePlain(res, 405, { allow: match.allowed.join(', ') });
      return;
    }
    if (httpTriggerSettings(match.fn).authLevel !== 'anonymous') {
      writePlain(res, 401);
      req.resume();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        writePlain(res, 413);
        req.resume();
        return;
      }
      throw error;
    }
    const { logger } = this.options;
    const context = createInvocationContext(match.fn, { logger, durableClient: this.options.durableClient });
    const started = Date.now();
    logger.write('information', `Executing '${match.fn.name}' (${method} ${url.pathname})`, {
      functionName: match.fn.name,
      invocationId: context.invocationId,
    });
    try {
      const request = toHttpRequest(req, url, body, match.params);
      const result = await invokeFunction(match.fn, context, [request]);
      await writeHandlerResult(res, result);
      logger.write(
        'information',
        `Executed '${match.fn.name}' (Succeeded, ${res.statusCode}, ${Date.now() - started} ms)`,
        {
          functionName: match.fn.name,
          invocationId: context.invocationId,
        },
      );
    } catch (error) {
      logger.write(
        'error',
        `Executed '${match.fn.name}' (Failed, ${Date.now() - started} ms): ${errorDetails(error)}`,
        {
          functionName: match.fn.name,
          invocationId: context.invocationId,
        },
      );
      writePlain(res, 500);
    }
  }
}
