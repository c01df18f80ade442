import { z } from 'zod';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from '../http';
import type { PsaStandIn } from './standIns';

/**
 * ConnectWise PSA (Manage) REST API 3.0, the calls write-back makes, under
 * `/psa/connectwise/v4_6_release/apis/3.0/…` (the "site" is `{sandbox}/psa/connectwise`):
 * `POST service/tickets/{id}/notes` and `PATCH service/tickets/{id}` (JSON Patch on `status`).
 * As the real API (https://developer.connectwise.com/Products/ConnectWise_PSA/Developer_Guide,
 * "Authentication" and "Client ID"): Basic `companyId+publicKey:privateKey` and a `clientId`
 * header, else 401; an unknown ticket 404; a note with neither flag nor text 400 (the API's
 * `InvalidObject` with `errors`); a status name the board does not have 400. `POST time/entries`
 * (a time entry charged to a ticket): timeStart is required, chargeToType one of the API's, timeEnd
 * not before timeStart, dates in UTC to the second (`yyyy-MM-ddTHH:mm:ssZ`), else 400.
 */
const timeEntrySchema = z.looseObject({
  chargeToId: z.number().int(),
  chargeToType: z.enum(['ServiceTicket', 'ProjectTicket', 'ChargeCode', 'Activity']),
  timeStart: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  timeEnd: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    .optional(),
  actualHours: z.number().positive().optional(),
  notes: z.string().optional(),
  member: z.strictObject({ identifier: z.string().min(1) }).optional(),
  workType: z.strictObject({ name: z.string().min(1) }).optional(),
});

function timeEntry(psa: PsaStandIn, req: SandboxRequest): SandboxResponse {
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return error(400, 'InvalidObject', 'The request body is not valid JSON');
  }
  const entry = timeEntrySchema.safeParse(body);
  if (!entry.success)
    return error(
      400,
      'InvalidObject',
      'TimeEntry object is invalid',
      entry.error.issues.map((i) => ({ code: 'InvalidObject', resource: 'TimeEntry', field: i.path.join('/') })),
    );
  const { chargeToId, chargeToType, timeStart, timeEnd, actualHours, notes, member, workType } = entry.data;
  if (timeEnd !== undefined && timeEnd < timeStart)
    return error(400, 'InvalidObject', 'TimeEntry object is invalid', [
      { code: 'InvalidObject', resource: 'TimeEntry', field: 'timeEnd', message: 'timeEnd is before timeStart' },
    ]);
  if (chargeToType === 'ServiceTicket' && !psa.hasTicket(String(chargeToId)))
    return error(404, 'NotFound', `Ticket with id ${chargeToId} not found`);
  psa.timeEntries.push({
    ticketId: String(chargeToId),
    start: timeStart,
    end: timeEnd ?? timeStart,
    hours: actualHours ?? (Date.parse(timeEnd ?? timeStart) - Date.parse(timeStart)) / 3_600_000,
    notes: notes ?? '',
    for: { ...(member !== undefined ? { member } : {}), ...(workType !== undefined ? { workType } : {}) },
  });
  return json(201, { id: psa.timeEntries.length, chargeToId, chargeToType, timeStart, timeEnd });
}
const noteSchema = z.looseObject({
  text: z.string().min(1),
  internalAnalysisFlag: z.boolean().optional(),
  detailDescriptionFlag: z.boolean().optional(),
  resolutionFlag: z.boolean().optional(),
});
const patchSchema = z
  .array(
    z.strictObject({
      op: z.enum(['replace', 'add', 'remove']),
      path: z.string(),
      value: z.unknown().optional(),
    }),
  )
  .min(1);

function error(status: number, code: string, message: string, errors?: unknown[]): SandboxResponse {
  return json(status, { code, message, ...(errors !== undefined ? { errors } : {}) });
}

function authenticated(psa: PsaStandIn, req: SandboxRequest): boolean {
  const header = req.headers['authorization'] ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (match === null || psa.account === null) return false;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  const plus = user.indexOf('+');
  if (colon < 0 || plus < 0) return false;
  return (
    user.slice(0, plus).toLowerCase() === (psa.account.companyId ?? '').toLowerCase() &&
    psa.credentialIs('publicKey', user.slice(plus + 1)) &&
    psa.credentialIs('privateKey', decoded.slice(colon + 1)) &&
    psa.credentialIs('clientId', req.headers['clientid'])
  );
}

export function handleConnectWise(psa: PsaStandIn, req: SandboxRequest, path: readonly string[]): SandboxResponse {
  // path after /psa/connectwise: v4_6_release apis 3.0 service tickets {id} [notes]
  const [release, apis, version, area, entity, ticketId, child, ...rest] = path;
  if (
    release === 'v4_6_release' &&
    apis === 'apis' &&
    version === '3.0' &&
    area === 'time' &&
    entity === 'entries' &&
    ticketId === undefined &&
    req.method === 'POST'
  ) {
    if (!authenticated(psa, req))
      return error(
        401,
        'Unauthorized',
        'The request could not be authenticated: check the API member keys and clientId',
      );
    return timeEntry(psa, req);
  }
  if (release !== 'v4_6_release' || apis !== 'apis' || version !== '3.0' || area !== 'service' || entity !== 'tickets')
    return error(404, 'NotFound', `No route for ${req.method} /${path.join('/')}`);
  if (!authenticated(psa, req))
    return error(401, 'Unauthorized', 'The request could not be authenticated: check the API member keys and clientId');
  if (ticketId === undefined || !/^\d+$/.test(ticketId) || rest.length > 0)
    return error(404, 'NotFound', `No route for ${req.method} /${path.join('/')}`);
  if (!psa.hasTicket(ticketId)) return error(404, 'NotFound', `Ticket with id ${ticketId} not found`);
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return error(400, 'InvalidObject', 'The request body is not valid JSON');
  }
  if (child === 'notes' && req.method === 'POST') {
    const note = noteSchema.safeParse(body);
    if (!note.success)
      return error(400, 'InvalidObject', 'ServiceNote object is invalid', [
        { code: 'NullValue', resource: 'ServiceNote', field: 'text' },
      ]);
    const { internalAnalysisFlag, detailDescriptionFlag, resolutionFlag } = note.data;
    if (internalAnalysisFlag !== true && detailDescriptionFlag !== true && resolutionFlag !== true)
      return error(400, 'InvalidObject', 'ServiceNote object is invalid', [
        {
          code: 'InvalidObject',
          resource: 'ServiceNote',
          message: 'one of detailDescriptionFlag, internalAnalysisFlag or resolutionFlag must be true',
        },
      ]);
    psa.notes.push({
      ticketId,
      text: note.data.text,
      title: null,
      internal: internalAnalysisFlag === true && detailDescriptionFlag !== true,
    });
    return json(201, { id: psa.notes.length, ticketId: Number(ticketId), text: note.data.text, internalAnalysisFlag });
  }
  if (child === undefined && req.method === 'PATCH') {
    const ops = patchSchema.safeParse(body);
    if (!ops.success)
      return error(400, 'InvalidObject', 'The body must be a JSON Patch document (an array of operations)');
    for (const op of ops.data) {
      const name = z.strictObject({ name: z.string() }).safeParse(op.value);
      if (op.path.replace(/^\//, '') !== 'status' || op.op !== 'replace' || !name.success)
        return error(400, 'InvalidObject', `Only status can be replaced on this stand-in, got ${op.op} ${op.path}`);
      if (!(psa.account?.statuses ?? []).includes(name.data.name))
        return error(400, 'InvalidObject', 'Ticket object is invalid', [
          {
            code: 'InvalidObject',
            resource: 'Ticket',
            field: 'status/name',
            message: `status '${name.data.name}' is not on the ticket's board`,
          },
        ]);
      psa.statusChanges.push({ ticketId, status: name.data.name });
    }
    return json(200, { id: Number(ticketId) });
  }
  return error(405, 'MethodNotAllowed', `${req.method} is not supported here`);
}
