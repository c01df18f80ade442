import { GraphError, type GraphContext } from './context';
import type { Row } from './odata';

/**
 * `$search` on directory objects (learn.microsoft.com/en-us/graph/search-query-parameter#using-search-on-directory-object-collections):
 * clauses `"property:text"` in double quotes, joined by OR or AND; a clause matches when a word of
 * the property starts with the text (the value is tokenized on spaces, punctuation and case
 * changes). It is an advanced query: without `ConsistencyLevel: eventual` Graph answers 400
 * Request_UnsupportedQuery with the message below (microsoft-graph-docs-contrib#3495). The texts
 * for a malformed clause and an unsearchable property are the sandbox's own (unverified).
 */
export type SearchPredicate = (row: Row) => boolean;

const CLAUSE = /^"([A-Za-z]+):([^"\\]*)"$/;

function words(value: string): string[] {
  return value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

function clauseMatches(value: unknown, text: string): boolean {
  if (typeof value !== 'string') return false;
  const needle = text.toLowerCase().trim();
  if (needle === '') return false;
  // Several words in the text: every one must start a word of the value (Graph tokenizes both).
  const valueWords = words(value);
  return words(needle).every((n) => valueWords.some((w) => w.startsWith(n)));
}

/** null when the request has no `$search`; otherwise the predicate, or a 400 as Graph gives it. */
export function parseSearch(ctx: GraphContext, searchable: readonly string[], entity: string): SearchPredicate | null {
  const search = ctx.req.query.get('$search');
  if (search === null) return null;
  if ((ctx.req.headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
    throw new GraphError(
      400,
      'Request_UnsupportedQuery',
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const parts = search.trim().split(/\s+(OR|AND)\s+(?=")/);
  const clauses: { property: string; text: string }[] = [];
  const operators: string[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      operators.push(part);
      return;
    }
    const match = CLAUSE.exec(part.trim());
    if (match === null)
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Syntax error in $search: '${part}' is not "property:text".`,
      );
    const property = searchable.find((p) => p.toLowerCase() === (match[1] ?? '').toLowerCase());
    if (property === undefined)
      throw new GraphError(
        400,
        'Request_UnsupportedQuery',
        `Property '${match[1] ?? ''}' on type 'microsoft.graph.${entity}' is not supported for $search.`,
      );
    clauses.push({ property, text: match[2] ?? '' });
  });
  if (operators.some((o) => o !== operators[0]))
    throw new GraphError(400, 'Request_UnsupportedQuery', 'The sandbox does not mix OR and AND in one $search.');
  const every = operators[0] === 'AND';
  return (row) => {
    const results = clauses.map((c) => clauseMatches(row[c.property], c.text));
    return every ? results.every(Boolean) : results.some(Boolean);
  };
}
