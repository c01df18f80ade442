import { GraphError } from './context';

/**
 * The OData query options the sandbox understands: `$filter` (eq, in, startswith, and, or,
 * parentheses), `$select`, `$top` and `$skiptoken` paging. Anything else in a filter is refused the
 * way Graph refuses it (400), never evaluated loosely: injection attempts end in 400.
 */
export type PropertyType = 'string' | 'boolean' | 'datetime';
export type EntityProperties = Readonly<Record<string, PropertyType>>;
export type Row = Readonly<Record<string, unknown>>;
export type Predicate = (row: Row) => boolean;

const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

type Token =
  { kind: 'punct'; value: '(' | ')' | ',' } | { kind: 'string'; value: string } | { kind: 'word'; value: string };

function invalidFilter(): GraphError {
  return new GraphError(400, 'BadRequest', 'Invalid filter clause');
}

function unsupported(message = 'Unsupported Query.'): GraphError {
  return new GraphError(400, 'Request_UnsupportedQuery', message);
}

function unknownProperty(name: string, entity: string): GraphError {
  return new GraphError(
    400,
    'BadRequest',
    `Could not find a property named '${name}' on type 'microsoft.graph.${entity}'.`,
  );
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', value: c });
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw invalidFilter();
        const d = text.charAt(i);
        if (d === "'") {
          if (text.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += d;
        i += 1;
      }
      tokens.push({ kind: 'string', value });
    } else {
      const m = /^[A-Za-z0-9_.\-/:$@]+/.exec(text.slice(i));
      if (m === null) throw invalidFilter();
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

type Literal = string | boolean | null;

class FilterParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly properties: EntityProperties,
    private readonly entity: string,
  ) {}

  parse(): Predicate {
    const predicate = this.or(0);
    if (this.pos !== this.tokens.length) throw invalidFilter();
    return predicate;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t === undefined) throw invalidFilter();
    this.pos += 1;
    return t;
  }

  private expectPunct(value: '(' | ')' | ','): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== value) throw invalidFilter();
  }

  private isWord(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.value.toLowerCase() === value;
  }

  private or(depth: number): Predicate {
    const parts = [this.and(depth)];
    while (this.isWord('or')) {
      this.pos += 1;
      parts.push(this.and(depth));
    }
    return parts.length === 1 && parts[0] !== undefined ? parts[0] : (row) => parts.some((p) => p(row));
  }

  private and(depth: number): Predicate {
    const parts = [this.primary(depth)];
    while (this.isWord('and')) {
      this.pos += 1;
      parts.push(this.primary(depth));
    }
    return parts.length === 1 && parts[0] !== undefined ? parts[0] : (row) => parts.every((p) => p(row));
  }

  private primary(depth: number): Predicate {
    if (depth > MAX_DEPTH) throw invalidFilter();
    const t = this.next();
    if (t.kind === 'punct' && t.value === '(') {
      const inner = this.or(depth + 1);
      this.expectPunct(')');
      return inner;
    }
    if (t.kind !== 'word') throw invalidFilter();
    const word = t.value;
    const after = this.peek();
    if (after?.kind === 'punct' && after.value === '(') return this.func(word.toLowerCase());
    const property = this.property(word);
    const op = this.next();
    if (op.kind !== 'word') throw invalidFilter();
    switch (op.value.toLowerCase()) {
      case 'eq': {
        const literal = this.literal(property);
        return (row) => equals(row[property], literal);
      }
      case 'in': {
        this.expectPunct('(');
        const values: Literal[] = [this.literal(property)];
        while (this.peek()?.kind === 'punct' && this.peek()?.value === ',') {
          this.pos += 1;
          values.push(this.literal(property));
        }
        this.expectPunct(')');
        return (row) => values.some((v) => equals(row[property], v));
      }
      case 'ne':
        throw unsupported("Filter operator 'NotEqualsMatch' is not supported.");
      case 'ge':
      case 'le':
      case 'gt':
      case 'lt':
        throw unsupported();
      default:
        throw invalidFilter();
    }
  }

  private func(name: string): Predicate {
    this.expectPunct('(');
    if (name !== 'startswith') {
      // endsWith and friends need advanced queries (ConsistencyLevel: eventual), which the sandbox does not offer.
      throw unsupported(`Unsupported property filter clause operator '${name}'.`);
    }
    const t = this.next();
    if (t.kind !== 'word') throw invalidFilter();
    const property = this.property(t.value);
    if (this.properties[property] !== 'string') throw invalidFilter();
    this.expectPunct(',');
    const prefix = this.next();
    if (prefix.kind !== 'string') throw invalidFilter();
    this.expectPunct(')');
    const p = prefix.value.toLowerCase();
    return (row) => {
      const v = row[property];
      return typeof v === 'string' && v.toLowerCase().startsWith(p);
    };
  }

  private property(name: string): string {
    const found = Object.keys(this.properties).find((p) => p.toLowerCase() === name.toLowerCase());
    if (found === undefined) throw unknownProperty(name, this.entity);
    return found;
  }

  private literal(property: string): Literal {
    const t = this.next();
    const type = this.properties[property];
    if (t.kind === 'string') {
      if (type === 'boolean') throw invalidFilter();
      return t.value;
    }
    if (t.kind !== 'word') throw invalidFilter();
    const w = t.value.toLowerCase();
    if (w === 'null') return null;
    if ((w === 'true' || w === 'false') && type === 'boolean') return w === 'true';
    throw invalidFilter();
  }
}

function equals(actual: unknown, expected: Literal): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (typeof expected === 'string')
    return typeof actual === 'string' && actual.toLowerCase() === expected.toLowerCase();
  return actual === expected;
}

export function parseFilter(filter: string | null, properties: EntityProperties, entity: string): Predicate {
  if (filter === null) return () => true;
  if (filter.trim() === '' || filter.length > MAX_FILTER_LENGTH) throw invalidFilter();
  return new FilterParser(tokenize(filter), properties, entity).parse();
}

/** `$select`: only the named properties plus id, in Graph's casing; unknown names are a 400. */
export function parseSelect(
  select: string | null,
  known: readonly string[],
  entity: string,
): readonly string[] | undefined {
  if (select === null) return undefined;
  const names = select
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.map((name) => {
    const found = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (found === undefined) throw unknownProperty(name, entity);
    return found;
  });
}

export function project(row: Row, select: readonly string[] | undefined): Record<string, unknown> {
  if (select === undefined) return { ...row };
  const out: Record<string, unknown> = { id: row.id };
  for (const name of select) out[name] = row[name] ?? null;
  return out;
}

const DEFAULT_PAGE_SIZE = 100;

export interface Page<T> {
  readonly items: T[];
  readonly nextLink: string | undefined;
}

/** `$top` and `$skiptoken` paging; the next link is absolute on the sandbox's origin, as Graph's is on its own. */
export function paginate<T>(items: readonly T[], query: URLSearchParams, linkBase: string): Page<T> {
  const topText = query.get('$top');
  let top = DEFAULT_PAGE_SIZE;
  if (topText !== null) {
    top = /^\d{1,6}$/.test(topText) ? Number(topText) : NaN;
    if (!(top >= 1 && top <= 999))
      throw new GraphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`,
      );
  }
  const skipText = query.get('$skiptoken');
  let offset = 0;
  if (skipText !== null) {
    const decoded = Buffer.from(skipText, 'base64url').toString('utf8');
    offset = /^o:\d{1,9}$/.test(decoded) ? Number(decoded.slice(2)) : NaN;
    if (!Number.isInteger(offset))
      throw new GraphError(400, 'Request_BadRequest', `Unable to read the skip token '${skipText}'.`);
  }
  const pageItems = items.slice(offset, offset + top);
  let nextLink: string | undefined;
  if (offset + top < items.length) {
    const next = new URLSearchParams(query);
    next.set('$skiptoken', Buffer.from(`o:${offset + top}`).toString('base64url'));
    nextLink = `${linkBase}?${next.toString()}`;
  }
  return { items: pageItems, nextLink };
}
