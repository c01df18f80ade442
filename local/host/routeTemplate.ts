/**
 * Parses an HTTP trigger's route template as the Functions host does: it hands `<routePrefix>/<route>`
 * to ASP.NET Core routing (`new Route(...)` in WebJobsRouteBuilder.MapFunctionRoute), whose
 * RoutePatternParser / RouteParameterParser refuse a bad template. The checks and their messages are
 * ported from dotnet/aspnetcore src/Http/Routing/src/Patterns/RoutePatternParser.cs,
 * RouteParameterParser.cs and Resources.resx, so the local host refuses what Azure refuses, saying
 * the same thing.
 */

export type RoutePart =
  | { readonly kind: 'literal'; readonly content: string }
  | {
      readonly kind: 'parameter';
      readonly name: string;
      readonly catchAll: boolean;
      readonly optional: boolean;
      readonly defaultValue: string | undefined;
      /** Inline constraints as written, e.g. `int`, `regex(^a+$)`. */
      readonly constraints: readonly string[];
    };

export interface RouteSegment {
  readonly parts: readonly RoutePart[];
}

/** A template ASP.NET Core routing refuses; the message is RoutePatternException's. */
export class RoutePatternError extends Error {
  override readonly name = 'RoutePatternError';
}

const MESSAGES = {
  consecutiveSeparators:
    "The route template separator character '/' cannot appear consecutively. It must be separated by either a parameter or a literal value.",
  mismatchedParameter:
    "There is an incomplete parameter in the route template. Check that each '{' character has a matching '}' character.",
  unescapedBrace: "In a route parameter, '{' and '}' must be escaped with '{{' and '}}'.",
  catchAllCannotBeOptional: 'A catch-all parameter cannot be marked optional.',
  optionalCannotHaveDefault: 'An optional parameter cannot have default value.',
  catchAllMustBeLast: 'A catch-all parameter can only appear as the last segment of the route template.',
  catchAllInMultiSegment:
    'A path segment that contains more than one section, such as a literal section or a parameter, cannot contain a catch-all parameter.',
  consecutiveParameters:
    "A path segment cannot contain two consecutive parameters. They must be separated by a '/' or by a literal string.",
  invalidRouteTemplate: "The route template cannot start with a '~' character unless followed by a '/'.",
  invalidParameterName: (name: string) =>
    `The route parameter name '${name}' is invalid. Route parameter names must be non-empty and cannot contain these characters: '{', '}', '/'. The '?' character marks a parameter as optional, and can occur only at the end of the parameter. The '*' character marks a parameter as catch-all, and can occur only at the start of the parameter.`,
  repeatedParameter: (name: string) =>
    `The route parameter name '${name}' appears more than one time in the route template.`,
  invalidLiteral: (literal: string) =>
    `The literal section '${literal}' is invalid. Literal sections cannot contain the '?' character.`,
  optionalPrecededByPeriod: (segment: string, name: string, previous: string) =>
    `In the segment '${segment}', the optional parameter '${name}' is preceded by an invalid segment '${previous}'. Only a period (.) can precede an optional parameter.`,
  optionalMustBeLast: (segment: string, name: string, next: string) =>
    `An optional parameter must be at the end of the segment. In the segment '${segment}', optional parameter '${name}' is followed by '${next}'.`,
} as const;

class Cursor {
  index = -1;
  private mark = 0;
  readonly parameterNames = new Set<string>();
  error = '';

  constructor(readonly text: string) {}

  get current(): string | undefined {
    return this.index >= 0 && this.index < this.text.length ? this.text[this.index] : undefined;
  }

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  moveNext(): boolean {
    this.index += 1;
    return this.index < this.text.length;
  }

  back(): void {
    this.index -= 1;
  }

  markHere(): void {
    this.mark = this.index;
  }

  capture(): string {
    return this.text.slice(this.mark, Math.min(this.index, this.text.length));
  }
}

function trimPrefix(pattern: string): string {
  if (pattern.startsWith('~/')) return pattern.slice(2);
  if (pattern.startsWith('/')) return pattern.slice(1);
  if (pattern.startsWith('~')) throw new RoutePatternError(MESSAGES.invalidRouteTemplate);
  return pattern;
}

/** Parses a template; throws RoutePatternError with ASP.NET Core's message when it is invalid. */
export function parseRouteTemplate(pattern: string): RouteSegment[] {
  const cursor = new Cursor(trimPrefix(pattern));
  const segments: RouteSegment[] = [];
  while (cursor.moveNext()) {
    if (cursor.current === '/') throw new RoutePatternError(MESSAGES.consecutiveSeparators);
    if (!parseSegment(cursor, segments)) throw new RoutePatternError(cursor.error);
  }
  segments.forEach((segment, i) =>
    segment.parts.forEach((part, j) => {
      if (part.kind === 'parameter' && part.catchAll && (i !== segments.length - 1 || j !== segment.parts.length - 1)) {
        throw new RoutePatternError(MESSAGES.catchAllMustBeLast);
      }
    }),
  );
  return segments;
}

function parseSegment(cursor: Cursor, segments: RouteSegment[]): boolean {
  const parts: RoutePart[] = [];
  for (;;) {
    if (cursor.current === '{') {
      if (!cursor.moveNext()) {
        cursor.error = MESSAGES.mismatchedParameter;
        return false;
      }
      const escaped = cursor.current === '{';
      cursor.back();
      if (!(escaped ? parseLiteral(cursor, parts) : parseParameter(cursor, parts))) return false;
    } else if (!parseLiteral(cursor, parts)) {
      return false;
    }
    if (cursor.current === '/' || cursor.atEnd()) break;
  }
  if (!isSegmentValid(cursor, parts)) return false;
  segments.push({ parts });
  return true;
}

function parseParameter(cursor: Cursor, parts: RoutePart[]): boolean {
  cursor.markHere();
  cursor.moveNext();
  for (;;) {
    if (cursor.current === '{') {
      if (!cursor.moveNext()) {
        cursor.error = MESSAGES.mismatchedParameter;
        return false;
      }
      if (cursor.current !== '{') {
        cursor.error = MESSAGES.unescapedBrace;
        return false;
      }
    } else if (cursor.current === '}') {
      if (!cursor.moveNext()) break;
      if (cursor.current !== '}') break;
    }
    if (!cursor.moveNext()) {
      cursor.error = MESSAGES.mismatchedParameter;
      return false;
    }
  }
  const text = cursor.capture();
  if (text === '{}') {
    cursor.error = MESSAGES.invalidParameterName('');
    return false;
  }
  const decoded = text.slice(1, -1).replaceAll('}}', '}').replaceAll('{{', '{');
  const part = parseRouteParameter(decoded);
  if (decoded.startsWith('*') && decoded.endsWith('?')) {
    cursor.error = MESSAGES.catchAllCannotBeOptional;
    return false;
  }
  if (part.optional && part.defaultValue !== undefined) {
    cursor.error = MESSAGES.optionalCannotHaveDefault;
    return false;
  }
  if (part.name === '' || /[/{}?*]/.test(part.name)) {
    cursor.error = MESSAGES.invalidParameterName(part.name);
    return false;
  }
  const key = part.name.toLowerCase(); // ASP.NET Core compares parameter names ignoring case
  if (cursor.parameterNames.has(key)) {
    cursor.error = MESSAGES.repeatedParameter(part.name);
    return false;
  }
  cursor.parameterNames.add(key);
  parts.push(part);
  return true;
}

/** RouteParameterParser.ParseRouteParameter: `*`/`**`, the name, `:constraint(args)`…, `=default` or `?`. */
function parseRouteParameter(parameter: string): Extract<RoutePart, { kind: 'parameter' }> {
  let start = 0;
  let end = parameter.length - 1;
  let catchAll = false;
  let optional = false;
  if (parameter.startsWith('**')) {
    catchAll = true;
    start = 2;
  } else if (parameter.startsWith('*')) {
    catchAll = true;
    start = 1;
  }
  if (parameter.length > 0 && parameter[end] === '?') {
    optional = true;
    catchAll = false; // the kind becomes Optional; a '*…?' parameter is refused by the caller
    end -= 1;
  }
  let index = start;
  let name = '';
  while (index <= end) {
    const ch = parameter[index];
    if ((ch === ':' || ch === '=') && index !== start) {
      name = parameter.slice(start, index);
      break;
    }
    if (index === end) name = parameter.slice(start, index + 1);
    index += 1;
  }
  const rest = index <= end ? parameter.slice(index, end + 1) : '';
  const { constraints, defaultValue } = parseConstraints(rest);
  return { kind: 'parameter', name, catchAll, optional, defaultValue, constraints };
}

/** The part after the name: `:c1:c2(args with : or = inside)=default`. */
function parseConstraints(text: string): { constraints: string[]; defaultValue: string | undefined } {
  const constraints: string[] = [];
  let i = 0;
  while (i < text.length && text[i] === ':') {
    let j = i + 1;
    let depth = 0;
    while (j < text.length) {
      const ch = text[j];
      if (ch === '(') depth += 1;
      else if (ch === ')' && depth > 0) depth -= 1;
      else if ((ch === ':' || ch === '=') && depth === 0) break;
      j += 1;
    }
    const constraint = text.slice(i + 1, j);
    if (constraint !== '') constraints.push(constraint);
    i = j;
  }
  return { constraints, defaultValue: text[i] === '=' ? text.slice(i + 1) : undefined };
}

function parseLiteral(cursor: Cursor, parts: RoutePart[]): boolean {
  cursor.markHere();
  for (;;) {
    if (cursor.current === '/') break;
    if (cursor.current === '{') {
      if (!cursor.moveNext()) {
        cursor.error = MESSAGES.mismatchedParameter;
        return false;
      }
      if (cursor.current !== '{') {
        cursor.back();
        break;
      }
    } else if (cursor.current === '}') {
      if (!cursor.moveNext() || cursor.current !== '}') {
        cursor.error = MESSAGES.mismatchedParameter;
        return false;
      }
    }
    if (!cursor.moveNext()) break;
  }
  const decoded = cursor.capture().replaceAll('}}', '}').replaceAll('{{', '{');
  if (decoded.includes('?')) {
    cursor.error = MESSAGES.invalidLiteral(decoded);
    return false;
  }
  parts.push({ kind: 'literal', content: decoded });
  return true;
}

function describePart(part: RoutePart): string {
  if (part.kind === 'literal') return part.content;
  const constraints = part.constraints.map((c) => `:${c}`).join('');
  return `{${part.catchAll ? '*' : ''}${part.name}${constraints}${part.defaultValue === undefined ? '' : `=${part.defaultValue}`}${part.optional ? '?' : ''}}`;
}

function isSegmentValid(cursor: Cursor, parts: RoutePart[]): boolean {
  if (parts.length > 1 && parts.some((p) => p.kind === 'parameter' && p.catchAll)) {
    cursor.error = MESSAGES.catchAllInMultiSegment;
    return false;
  }
  const segmentText = (): string => parts.map(describePart).join('');
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i];
    if (part?.kind !== 'parameter' || !part.optional || parts.length === 1) continue;
    const previous = parts[i - 1];
    const next = parts[i + 1];
    if (next !== undefined) {
      cursor.error = MESSAGES.optionalMustBeLast(segmentText(), part.name, describePart(next));
      return false;
    }
    if (previous !== undefined && (previous.kind !== 'literal' || previous.content !== '.')) {
      cursor.error = MESSAGES.optionalPrecededByPeriod(segmentText(), part.name, describePart(previous));
      return false;
    }
  }
  for (let i = 1; i < parts.length; i += 1) {
    if (parts[i]?.kind === 'parameter' && parts[i - 1]?.kind === 'parameter') {
      cursor.error = MESSAGES.consecutiveParameters;
      return false;
    }
  }
  return true;
}

/** ASP.NET Core's default inline constraints (RouteOptions.ConstraintMap). */
export const KNOWN_CONSTRAINTS: ReadonlySet<string> = new Set([
  'int',
  'bool',
  'datetime',
  'decimal',
  'double',
  'float',
  'guid',
  'long',
  'minlength',
  'maxlength',
  'length',
  'min',
  'max',
  'range',
  'alpha',
  'regex',
  'required',
  'file',
  'nonfile',
]);

/** The message RouteConstraintBuilder gives for an inline constraint no resolver knows, or undefined. */
export function unresolvedConstraint(segments: readonly RouteSegment[], template: string): string | undefined {
  for (const segment of segments) {
    for (const part of segment.parts) {
      if (part.kind !== 'parameter') continue;
      for (const constraint of part.constraints) {
        const key = constraint.replace(/\(.*$/s, '').toLowerCase();
        if (!KNOWN_CONSTRAINTS.has(key)) {
          return `The constraint entry '${part.name}' - '${constraint}' on the route '${template}' could not be resolved by the constraint resolver of type 'DefaultInlineConstraintResolver'.`;
        }
      }
    }
  }
  return undefined;
}
