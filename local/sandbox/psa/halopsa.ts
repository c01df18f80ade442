import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from '../http';
import type { PsaStandIn } from './standIns';

/**
 * HaloPSA, the calls write-back makes: the authorisation server's `POST /psa/halopsa/auth/token`
 * (OAuth 2 client credentials, form-encoded) and the resource server's `POST
 * /psa/halopsa/api/Actions` (an array of actions). As the real one (https://halopsa.com/apidoc/info,
 * "Authorisation"): a wrong client is `400 invalid_client` from /token (RFC 6749 §5.2), a scope it
 * does not grant `400 invalid_scope`; the API without a valid bearer token 401; an action on a
 * ticket that does not exist 404.
 */
const SCOPES = new Set(['all', 'edit:tickets', 'read:tickets']);
const actionsSchema = z
  .array(
    z.looseObject({
      ticket_id: z.number().int(),
      note: z.string().min(1),
      outcome: z.string().optional(),
      hiddenfromuser: z.boolean().optional(),
      new_status: z.number().int().optional(),
      timetaken: z.number().min(0).optional(),
      actionarrivaldate: z.iso.datetime().optional(),
      actioncompletiondate: z.iso.datetime().optional(),
    }),
  )
  .min(1)
  .max(50);

function token(psa: PsaStandIn, req: SandboxRequest): SandboxResponse {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return json(400, { error: 'invalid_request', error_description: 'the body must be form-encoded' });
  const form = new URLSearchParams(req.rawBody);
  if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
  if (
    !psa.credentialIs('clientId', form.get('client_id') ?? undefined) ||
    !psa.credentialIs('clientSecret', form.get('client_secret') ?? undefined)
  )
    return json(400, { error: 'invalid_client', error_description: 'Invalid client credentials' });
  const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
  if (scopes.length === 0 || scopes.some((s) => !SCOPES.has(s))) return json(400, { error: 'invalid_scope' });
  const accessToken = randomBytes(24).toString('base64url');
  psa.tokens.add(accessToken);
  return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') });
}

function actions(psa: PsaStandIn, req: SandboxRequest): SandboxResponse {
  const bearer = /^Bearer (\S+)$/.exec(req.headers['authorization'] ?? '')?.[1];
  if (bearer === undefined || !psa.tokens.has(bearer)) return json(401, { message: 'Unauthorized' });
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return json(400, { message: 'The request body is not valid JSON' });
  }
  const parsed = actionsSchema.safeParse(body);
  if (!parsed.success)
    return json(400, { message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  for (const action of parsed.data)
    if (!psa.hasTicket(String(action.ticket_id))) return json(404, { message: `Ticket ${action.ticket_id} not found` });
  for (const action of parsed.data) {
    if (action.new_status !== undefined && !(psa.account?.statuses ?? []).includes(String(action.new_status)))
      return json(400, { message: `Status ${action.new_status} does not exist` });
  }
  for (const action of parsed.data) {
    const ticketId = String(action.ticket_id);
    psa.notes.push({
      ticketId,
      text: action.note,
      title: action.outcome ?? null,
      internal: action.hiddenfromuser === true,
    });
    if (action.new_status !== undefined) psa.statusChanges.push({ ticketId, status: String(action.new_status) });
    // An action's time taken is the time logged on the ticket (hours).
    if (action.timetaken !== undefined && action.timetaken > 0)
      psa.timeEntries.push({
        ticketId,
        start: action.actionarrivaldate ?? '',
        end: action.actioncompletiondate ?? '',
        hours: action.timetaken,
        notes: action.note,
        for: {},
      });
  }
  return json(201, parsed.data.length === 1 ? { id: psa.notes.length, ...parsed.data[0] } : parsed.data);
}

export function handleHaloPsa(psa: PsaStandIn, req: SandboxRequest, path: readonly string[]): SandboxResponse {
  const [server, resource, ...rest] = path;
  if (server === 'auth' && resource === 'token' && rest.length === 0 && req.method === 'POST') return token(psa, req);
  if (server === 'api' && resource === 'Actions' && rest.length === 0 && req.method === 'POST')
    return actions(psa, req);
  return json(404, { message: `No route for ${req.method} /${path.join('/')}` });
}
