import { describe, expect, it } from 'vitest';
import {
  installFunctionsCore,
  type FunctionRegistry,
  type RegisteredFunction,
} from '../../../local/host/functionsCore';
import { startHost } from '../../../local/functionsHost';
import { ROUTE_PREFIX } from '../../../local/host/httpFunctions';
import { httpRegistrationProblems, HostStartupError } from '../../../local/host/httpRouteRules';
import { testEnv, uniqueName } from '../../support/env';

/** An HTTP function as `app.http` registers it (bindings keyed by name, as toCoreFunctionMetadata builds them). */
function httpFunction(
  name: string,
  trigger: { route?: string; methods?: string[]; authLevel?: string },
): RegisteredFunction {
  return {
    name,
    metadata: {
      name,
      bindings: {
        httpTrigger1: {
          type: 'httpTrigger',
          direction: 'in',
          authLevel: 'anonymous',
          methods: ['GET', 'POST'],
          ...trigger,
        },
        $return: { type: 'http', direction: 'out' },
      },
    },
    handler: () => ({ status: 204 }),
  };
}

function registryOf(...functions: RegisteredFunction[]): FunctionRegistry {
  return { list: () => functions, get: (name) => functions.find((f) => f.name === name) };
}

async function startWith(...functions: RegisteredFunction[]): Promise<unknown> {
  try {
    const host = await startHost({
      port: 0,
      registry: registryOf(...functions),
      storageConnectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING'),
      taskHub: uniqueName('hub'),
      log: () => undefined,
    });
    await host.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("the local host applies the Functions host's rules to HTTP registrations and refuses to start", () => {
  it('refuses routes starting with admin or runtime (after the route prefix), with the host message', async () => {
    const error = await startWith(
      httpFunction('runReconciler', { route: 'admin/reconcile', methods: ['POST'] }),
      httpFunction('health', { route: 'health' }),
    );
    expect(error).toBeInstanceOf(HostStartupError);
    expect((error as HostStartupError).problems).toEqual([
      "The 'runReconciler' function is in error: The specified route conflicts with one or more built in routes.",
    ]);
    // The host compares the start of the text, not whole segments, ignoring case and slashes.
    for (const route of ['runtime/webhooks/x', '/Admin', 'administrators', 'RUNTIMEstatus']) {
      expect(httpRegistrationProblems([httpFunction('f', { route })], ROUTE_PREFIX), route).toEqual([
        "The 'f' function is in error: The specified route conflicts with one or more built in routes.",
      ]);
    }
    // With no route the function's name is the route.
    expect(httpRegistrationProblems([httpFunction('adminPanel', {})], ROUTE_PREFIX)).toHaveLength(1);
    expect(
      httpRegistrationProblems(
        [httpFunction('ops', { route: 'ops/reconcile' }), httpFunction('myadmin', { route: 'my/admin' })],
        ROUTE_PREFIX,
      ),
    ).toEqual([]);
  });

  it('refuses the same route twice with an overlapping method, naming the function that has it', async () => {
    const error = await startWith(
      httpFunction('listItems', { route: 'items', methods: ['GET'] }),
      httpFunction('readItems', { route: '/Items/', methods: ['GET', 'HEAD'] }),
    );
    expect((error as HostStartupError).problems).toEqual([
      "The 'readItems' function is in error: The route specified conflicts with the route defined by function 'listItems'.",
    ]);
    // Different methods on one route are fine; no methods means every method.
    expect(
      httpRegistrationProblems(
        [
          httpFunction('a', { route: 'items', methods: ['GET'] }),
          httpFunction('b', { route: 'items', methods: ['POST'] }),
        ],
        ROUTE_PREFIX,
      ),
    ).toEqual([]);
    expect(
      httpRegistrationProblems(
        [httpFunction('a', { route: 'items', methods: ['GET'] }), httpFunction('b', { route: 'items', methods: [] })],
        ROUTE_PREFIX,
      ),
    ).toEqual(["The 'b' function is in error: The route specified conflicts with the route defined by function 'a'."]);
  });

  it('refuses an invalid route template with ASP.NET Core routing’s message', async () => {
    const error = await startWith(httpFunction('broken', { route: 'items//{id}' }));
    expect((error as HostStartupError).message).toBe(
      "An error occurred while creating the route with name 'broken' and template 'api/items//{id}'. The route template separator character '/' cannot appear consecutively. It must be separated by either a parameter or a literal value. (Parameter 'routeTemplate')",
    );
    const problem = (route: string): string | undefined =>
      httpRegistrationProblems([httpFunction('f', { route })], ROUTE_PREFIX)[0];
    expect(problem('items/{id')).toContain(
      "There is an incomplete parameter in the route template. Check that each '{' character has a matching '}' character.",
    );
    expect(problem('items/{id}/{ID}')).toContain(
      "The route parameter name 'ID' appears more than one time in the route template.",
    );
    expect(problem('{*rest}/more')).toContain(
      'A catch-all parameter can only appear as the last segment of the route template.',
    );
    expect(problem('items/{a}{b}')).toContain('A path segment cannot contain two consecutive parameters.');
    expect(problem('items?/x')).toContain(
      "The literal section 'items?' is invalid. Literal sections cannot contain the '?' character.",
    );
    expect(problem('items/{id:number}')).toBe(
      "An error occurred while creating the route with name 'f' and template 'api/items/{id:number}'. The constraint entry 'id' - 'number' on the route 'api/items/{id:number}' could not be resolved by the constraint resolver of type 'DefaultInlineConstraintResolver'.",
    );
    // A leading slash is not trimmed before the prefix is added.
    expect(problem('/items')).toContain("template 'api//items'");
    expect(problem('files/file.{ext?}')).toContain(
      "In the segment 'file.{ext?}', the optional parameter 'ext' is preceded by an invalid segment 'file.'. Only a period (.) can precede an optional parameter.",
    );
    for (const valid of [
      'items/{id:guid}',
      'requests/{id}/credential',
      'files/{*path}',
      'items/{id?}',
      'a/{x:int:min(1)}',
      'files/{name}.{ext?}',
    ]) {
      expect(problem(valid), valid).toBeUndefined();
    }
  });

  it('refuses an authLevel that is not an AuthorizationLevel; anonymous, function and admin load', async () => {
    const error = await startWith(httpFunction('open', { route: 'open', authLevel: 'public' }));
    expect((error as HostStartupError).problems).toEqual([
      "The 'open' function is in error: Error parsing function.json: Invalid value specified for binding property 'authLevel' of enum type AuthorizationLevel.",
    ]);
    for (const authLevel of ['anonymous', 'Function', 'ADMIN', 'user', 'system']) {
      expect(httpRegistrationProblems([httpFunction('f', { route: 'f', authLevel })], ROUTE_PREFIX), authLevel).toEqual(
        [],
      );
    }
  });

  it('answers 401 for a function that needs a key (the local host has none), and serves anonymous ones', async () => {
    const host = await startHost({
      port: 0,
      registry: registryOf(
        httpFunction('keyed', { route: 'keyed', authLevel: 'function' }),
        httpFunction('open', { route: 'open' }),
      ),
      storageConnectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING'),
      taskHub: uniqueName('hub'),
      log: () => undefined,
    });
    try {
      expect((await fetch(`${host.url}/api/keyed`)).status).toBe(401);
      expect((await fetch(`${host.url}/api/open`)).status).toBe(204);
    } finally {
      await host.close();
    }
  });

  it("loads the app's own registrations: every route, method and authLevel passes the host's rules", async () => {
    const registry = installFunctionsCore();
    await import('../../../functions/index.js');
    const http = registry
      .list()
      .filter((f) => Object.values(f.metadata.bindings).some((b) => b.type === 'httpTrigger'));
    expect(http.length).toBeGreaterThan(20);
    expect(httpRegistrationProblems(http, ROUTE_PREFIX)).toEqual([]);
    const reconciler = http.find((f) => f.name === 'runReconciler');
    expect(Object.values(reconciler?.metadata.bindings ?? {}).find((b) => b.type === 'httpTrigger')).toMatchObject({
      route: 'ops/reconcile',
      methods: ['POST'],
    });
  });
});
