import type { RegisteredFunction } from './functionsCore';
import { httpTriggerSettings } from './httpRouteRules';
import { parseRouteTemplate, type RouteSegment } from './routeTemplate';

/**
 * Matches request paths against the functions' route templates the way the Functions host
 * (ASP.NET Core routing) does for the subset we use: literal segments (case-insensitive),
 * `{name}`, optional `{name?}`, constraints `{id:guid}` / `{n:int}` / …, and catch-all `{*rest}`.
 */

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly optional: boolean;
      readonly constraints: readonly string[];
      readonly catchAll: boolean;
    };

export interface CompiledRoute {
  readonly fn: RegisteredFunction;
  readonly template: string;
  readonly methods: ReadonlySet<string> | undefined;
  readonly segments: readonly Segment[];
}

export type RouteMatch =
  | { readonly kind: 'matched'; readonly fn: RegisteredFunction; readonly params: Record<string, string> }
  | { readonly kind: 'methodNotAllowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'notFound' };

const CONSTRAINTS: Record<string, (value: string) => boolean> = {
  int: (v) => /^-?\d+$/.test(v),
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  decimal: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
};

function toSegment(segment: RouteSegment, template: string): Segment {
  const [part, ...more] = segment.parts;
  if (part === undefined || more.length > 0)
    throw new Error(
      `Route template "${template}": a segment that mixes literals and parameters is valid in Azure, but the local host does not support it`,
    );
  if (part.kind === 'literal') return { kind: 'literal', text: part.content.toLowerCase() };
  if (part.defaultValue !== undefined)
    throw new Error(
      `Route template "${template}": inline default values are valid in Azure, but the local host does not support them`,
    );
  return {
    kind: 'param',
    name: part.name,
    optional: part.optional,
    constraints: part.constraints,
    catchAll: part.catchAll,
  };
}

/** `fn`'s route as a matcher; the host's rules (httpRouteRules.ts) have already accepted it. */
export function compileRoute(fn: RegisteredFunction): CompiledRoute {
  const { route, methods } = httpTriggerSettings(fn);
  const template = route.replace(/^\/+|\/+$/g, '');
  const segments = parseRouteTemplate(template).map((s) => toSegment(s, template));
  return {
    fn,
    template,
    methods: methods === undefined ? undefined : new Set(methods.map((m) => m.toUpperCase())),
    segments,
  };
}

/** More specific templates first: literals beat constrained parameters beat parameters beat catch-alls. */
function precedence(route: CompiledRoute): number[] {
  return route.segments.map((s) => {
    if (s.kind === 'literal') return 0;
    if (s.catchAll) return 4;
    if (s.optional) return 3;
    return s.constraints.length > 0 ? 1 : 2;
  });
}

function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const pa = precedence(a);
  const pb = precedence(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return pb.length - pa.length;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const part = parts[i];
    if (segment.kind === 'literal') {
      if (part === undefined || part.toLowerCase() !== segment.text) return undefined;
      continue;
    }
    if (segment.catchAll) {
      const rest = parts.slice(i).join('/');
      if (rest !== '') params[segment.name] = rest;
      return params;
    }
    if (part === undefined || part === '') {
      if (!segment.optional) return undefined;
      continue;
    }
    const value = decodeURIComponent(part);
    for (const constraint of segment.constraints) {
      const check = CONSTRAINTS[constraint.replace(/\(.*$/, '').toLowerCase()];
      if (check !== undefined && !check(value)) return undefined;
    }
    params[segment.name] = value;
  }
  return parts.length <= segments.length ? params : undefined;
}

export class HttpRouter {
  private readonly routes: CompiledRoute[];

  constructor(functions: readonly RegisteredFunction[]) {
    this.routes = functions.map(compileRoute).sort(compareRoutes);
  }

  /** `path` is the part after the route prefix, without query string. */
  match(method: string, path: string): RouteMatch {
    const trimmed = path.replace(/^\/+|\/+$/g, '');
    const parts = trimmed === '' ? [] : trimmed.split('/');
    const allowed = new Set<string>();
    for (const route of this.routes) {
      let params: Record<string, string> | undefined;
      try {
        params = matchSegments(route.segments, parts);
      } catch {
        params = undefined; // undecodable %-escape: no match
      }
      if (params === undefined) continue;
      if (route.methods === undefined || route.methods.has(method.toUpperCase()))
        return { kind: 'matched', fn: route.fn, params };
      for (const m of route.methods) allowed.add(m);
    }
    return allowed.size > 0 ? { kind: 'methodNotAllowed', allowed: [...allowed] } : { kind: 'notFound' };
  }
}
