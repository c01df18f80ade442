import { json } from '../http';
import type { SignInEntry } from '../signInLog';
import { GraphError, odataContext, requirePermission, type GraphContext } from './context';
import { paginate } from './odata';
import type { Route } from './route';

/**
 * `GET /auditLogs/signIns` as Graph answers it (https://learn.microsoft.com/graph/api/signin-list):
 * application permission AuditLog.Read.All, else 403 Authorization_RequestDenied; a tenant without
 * Entra ID P1/P2 gets 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant "Neither tenant is
 * B2C or tenant doesn't have premium license" (microsoftgraph/microsoft-graph-docs#4336,
 * turbot/steampipe-plugin-azuread#98); newest first, paged with @odata.nextLink. The filter is the
 * subset the service sends — `userId eq '…'`, `userPrincipalName eq '…'` and `createdDateTime`
 * with ge/le/gt/lt against an unquoted ISO 8601 time, joined by `and` — anything else is a 400 as
 * Graph gives for a filter it cannot read, never evaluated loosely.
 */
const READ_SIGN_INS = ['AuditLog.Read.All'];

type Clause = (entry: SignInEntry) => boolean;

function invalidFilter(): GraphError {
  return new GraphError(400, 'BadRequest', 'Invalid filter clause');
}

const EQUALS = /^(userId|userPrincipalName)\s+eq\s+'((?:[^']|'')*)'$/i;
const COMPARE = /^createdDateTime\s+(ge|le|gt|lt)\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z)$/i;

function clauseOf(text: string): Clause {
  const equals = EQUALS.exec(text);
  if (equals !== null) {
    const property = (equals[1] ?? '').toLowerCase() === 'userid' ? 'userId' : 'userPrincipalName';
    const value = (equals[2] ?? '').replace(/''/g, "'").toLowerCase();
    return (entry) => entry[property].toLowerCase() === value;
  }
  const compare = COMPARE.exec(text);
  if (compare !== null) {
    const at = Date.parse(compare[2] ?? '');
    if (Number.isNaN(at)) throw invalidFilter();
    const op = (compare[1] ?? '').toLowerCase();
    return (entry) => {
      const t = Date.parse(entry.createdDateTime);
      return op === 'ge' ? t >= at : op === 'le' ? t <= at : op === 'gt' ? t > at : t < at;
    };
  }
  throw invalidFilter();
}

function parseSignInFilter(filter: string | null): Clause {
  if (filter === null || filter.trim() === '') return () => true;
  if (filter.length > 4096) throw invalidFilter();
  const clauses = filter
    .trim()
    .split(/\s+and\s+/i)
    .map((c) => clauseOf(c.trim()));
  return (entry) => clauses.every((c) => c(entry));
}

function list(ctx: GraphContext) {
  requirePermission(ctx, READ_SIGN_INS);
  if (!ctx.tenant.entraIdPremium) {
    throw new GraphError(
      403,
      'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      "Neither tenant is B2C or tenant doesn't have premium license",
    );
  }
  const matches = parseSignInFilter(ctx.req.query.get('$filter'));
  const newestFirst = ctx.tenant.signIns
    .filter(matches)
    .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  const page = paginate(newestFirst, ctx.req.query, `${ctx.store.url}/v1.0/auditLogs/signIns`);
  const body: Record<string, unknown> = { '@odata.context': odataContext('auditLogs/signIns') };
  if (page.nextLink !== undefined) body['@odata.nextLink'] = page.nextLink;
  body.value = page.items;
  return json(200, body);
}

export const signInLogRoutes: readonly Route[] = [{ method: 'GET', path: ['auditLogs', 'signIns'], handler: list }];
