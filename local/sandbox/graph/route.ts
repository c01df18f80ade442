import type { SandboxResponse } from '../http';
import type { GraphContext } from './context';

/** A path element: a literal segment, a `:param`, or a pattern whose first group is the param. */
export type RouteSegment = string | { readonly re: RegExp; readonly name: string };

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  readonly path: readonly RouteSegment[];
  readonly handler: (ctx: GraphContext) => SandboxResponse | Promise<SandboxResponse>;
}
