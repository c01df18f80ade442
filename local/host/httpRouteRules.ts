import type { RegisteredFunction } from './functionsCore';
import { triggerBinding } from './functionsCore';
import { parseRouteTemplate, RoutePatternError, unresolvedConstraint } from './routeTemplate';

/**
 * The rules the Functions host applies to HTTP functions before it serves any of them, with its
 * own messages (Azure/azure-functions-host, v4.1037):
 * - `authLevel` must name an AuthorizationLevel (ScriptBindingContext.GetMetadataEnumValue);
 * - a route may not start with `admin` or `runtime`, the host's own routes (ScriptHost.ValidateHttpFunction);
 * - two functions may not share a route with an overlapping method (ScriptHost.HttpRoutesConflict);
 * - `<routePrefix>/<route>` must be a valid ASP.NET Core route template (WebJobsRouteBuilder.MapFunctionRoute).
 * Azure puts a function breaking one of the first three "in error" and serves the others, and fails
 * host start-up on the last. The local host refuses to start on any of them, so a registration
 * that would not load in Azure never passes a local test.
 */
export class HostStartupError extends Error {
  override readonly name = 'HostStartupError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Microsoft.Azure.WebJobs.Extensions.Http AuthorizationLevel; the host parses it ignoring case. */
const AUTHORIZATION_LEVELS = ['anonymous', 'user', 'function', 'system', 'admin'] as const;
export type AuthorizationLevel = (typeof AUTHORIZATION_LEVELS)[number];

/** The host's default when a function.json/metadata gives none. */
const DEFAULT_AUTH_LEVEL: AuthorizationLevel = 'function';

export interface HttpTriggerSettings {
  readonly route: string;
  readonly methods: readonly string[] | undefined;
  readonly authLevel: AuthorizationLevel;
}

class FunctionInError extends Error {}

function readAuthLevel(raw: unknown): AuthorizationLevel {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_AUTH_LEVEL;
  const level = AUTHORIZATION_LEVELS.find((l) => typeof raw === 'string' && l === raw.trim().toLowerCase());
  if (level === undefined)
    throw new FunctionInError(
      "Error parsing function.json: Invalid value specified for binding property 'authLevel' of enum type AuthorizationLevel.",
    );
  return level;
}

/** The trigger's settings as the host reads them (an empty route means the function's name). */
export function httpTriggerSettings(fn: RegisteredFunction): HttpTriggerSettings {
  const { binding } = triggerBinding(fn);
  const route = typeof binding.route === 'string' && binding.route.trim() !== '' ? binding.route : fn.name;
  const methods =
    Array.isArray(binding.methods) && binding.methods.length > 0 ? binding.methods.map(String) : undefined;
  return { route, methods, authLevel: readAuthLevel(binding.authLevel) };
}

function routesConflict(a: HttpTriggerSettings, b: HttpTriggerSettings): boolean {
  if (trimSlashes(a.route).toLowerCase() !== trimSlashes(b.route).toLowerCase()) return false;
  if (a.methods === undefined || b.methods === undefined) return true; // no methods = every method
  // The host intersects the method lists as written (ordinal string comparison).
  return a.methods.some((m) => b.methods?.includes(m));
}

function trimSlashes(route: string): string {
  return route.replace(/^\/+|\/+$/g, '');
}

/** The messages of every HTTP function the host would refuse; empty when all load. */
export function httpRegistrationProblems(functions: readonly RegisteredFunction[], routePrefix: string): string[] {
  const problems: string[] = [];
  const accepted: { name: string; settings: HttpTriggerSettings }[] = [];
  // The host validates functions in name order (FunctionMetadataManager sorts them ignoring case).
  const ordered = [...functions].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  for (const fn of ordered) {
    try {
      const settings = httpTriggerSettings(fn);
      const route = trimSlashes(settings.route).toLowerCase();
      if (route.startsWith('admin') || route.startsWith('runtime'))
        throw new FunctionInError('The specified route conflicts with one or more built in routes.');
      const other = accepted.find((a) => routesConflict(settings, a.settings));
      if (other !== undefined)
        throw new FunctionInError(`The route specified conflicts with the route defined by function '${other.name}'.`);
      accepted.push({ name: fn.name, settings });
    } catch (error) {
      if (!(error instanceof FunctionInError)) throw error;
      problems.push(`The '${fn.name}' function is in error: ${error.message}`);
    }
  }
  for (const { name, settings } of accepted) {
    const template = routePrefix === '' ? settings.route : `${routePrefix}/${settings.route}`;
    let inner: string | undefined;
    try {
      inner = unresolvedConstraint(parseRouteTemplate(template), template);
    } catch (error) {
      if (!(error instanceof RoutePatternError)) throw error;
      inner = `${error.message} (Parameter 'routeTemplate')`; // TemplateParser rethrows it as an ArgumentException
    }
    if (inner !== undefined)
      problems.push(
        `An error occurred while creating the route with name '${name}' and template '${template}'. ${inner}`,
      );
  }
  return problems;
}

/** Throws HostStartupError naming every problem, as the host's start-up log would. */
export function assertHttpRegistrationsLoad(functions: readonly RegisteredFunction[], routePrefix: string): void {
  const problems = httpRegistrationProblems(functions, routePrefix);
  if (problems.length > 0) throw new HostStartupError(problems);
}
