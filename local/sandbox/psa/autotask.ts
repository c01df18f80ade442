import { z } from 'zod';
import { json, parseJsonBody, type SandboxRequest, type SandboxResponse } from '../http';
import type { PsaStandIn } from './standIns';

/**
 * Autotask REST API, the calls write-back makes, under `/psa/autotask/ATServicesRest/V1.0/…`
 * (the zone's "webservicesN" host is `{sandbox}/psa/autotask`): `POST Tickets/{id}/Notes`,
 * `PATCH Tickets` (status) and `GET zoneInformation?user=`. As the real API
 * (https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/General_Topics/REST_Security_Auth.htm,
 * .../Entities/TicketNotesEntity.htm): the `ApiIntegrationCode`, `UserName` and `Secret` headers,
 * else 401; a TicketNote needs title, description, noteType and publish (else 500 with `errors`,
 * as Autotask answers a failed validation); an unknown parent ticket 404. `POST TimeEntries`
 * (.../Entities/TimeEntriesEntity.htm): dateWorked, resourceID and, on a ticket, roleID are required,
 * hoursWorked or start and end, an end not before its start (else 500 with `errors`); an unknown
 * ticket 404.
 */
const timeEntrySchema = z.looseObject({
  ticketID: z.number().int(),
  resourceID: z.number().int(),
  roleID: z.number().int(),
  dateWorked: z.iso.datetime(),
  startDateTime: z.iso.datetime().optional(),
  endDateTime: z.iso.datetime().optional(),
  hoursWorked: z.number().positive().optional(),
  summaryNotes: z.string().optional(),
});
const noteSchema = z.looseObject({
  ticketID: z.number().int().optional(),
  title: z.string().min(1).max(250),
  description: z.string().min(1).max(32000),
  noteType: z.number().int(),
  publish: z.number().int().min(1).max(3),
});
const ticketPatchSchema = z.looseObject({ id: z.number().int(), status: z.number().int().optional() });

function errors(status: number, ...messages: string[]): SandboxResponse {
  return json(status, { errors: messages });
}

function authenticated(psa: PsaStandIn, req: SandboxRequest): boolean {
  return (
    psa.credentialIs('username', req.headers['username']) &&
    psa.credentialIs('secret', req.headers['secret']) &&
    psa.credentialIs('apiIntegrationCode', req.headers['apiintegrationcode'])
  );
}

export function handleAutotask(
  psa: PsaStandIn,
  req: SandboxRequest,
  path: readonly string[],
  baseUrl: string,
): SandboxResponse {
  const [service, version, entity, ticketId, child, ...rest] = path;
  if (service !== 'ATServicesRest' || version !== 'V1.0') return errors(404, `No route for /${path.join('/')}`);
  if (entity === 'zoneInformation' && req.method === 'GET') {
    // Zone discovery needs no credentials (as Autotask's): it names the zone's web services URL.
    return json(200, { zoneName: 'Sandbox', url: `${baseUrl}/psa/autotask/ATServicesRest/`, webUrl: baseUrl, ci: 0 });
  }
  if (!authenticated(psa, req)) return errors(401, 'Unauthorized: the ApiIntegrationCode, UserName or Secret is wrong');
  let body: unknown;
  try {
    body = parseJsonBody(req.rawBody);
  } catch {
    return errors(400, 'The request body is not valid JSON');
  }
  if (
    entity === 'Tickets' &&
    ticketId !== undefined &&
    child === 'Notes' &&
    rest.length === 0 &&
    req.method === 'POST'
  ) {
    if (!/^\d+$/.test(ticketId) || !psa.hasTicket(ticketId)) return errors(404, `Ticket ${ticketId} does not exist`);
    const note = noteSchema.safeParse(body);
    if (!note.success)
      return errors(500, ...note.error.issues.map((i) => `TicketNote: ${i.path.join('.') || 'body'}: ${i.message}`));
    if (note.data.ticketID !== undefined && String(note.data.ticketID) !== ticketId)
      return errors(500, 'TicketNote: ticketID does not match the parent ticket');
    psa.notes.push({
      ticketId,
      text: note.data.description,
      title: note.data.title,
      internal: note.data.publish !== 1,
    });
    return json(200, { itemId: psa.notes.length });
  }
  if (entity === 'TimeEntries' && ticketId === undefined && req.method === 'POST') {
    const entry = timeEntrySchema.safeParse(body);
    if (!entry.success)
      return errors(500, ...entry.error.issues.map((i) => `TimeEntry: ${i.path.join('.') || 'body'}: ${i.message}`));
    const { ticketID, resourceID, roleID, startDateTime, endDateTime, hoursWorked, summaryNotes } = entry.data;
    if (hoursWorked === undefined && (startDateTime === undefined || endDateTime === undefined))
      return errors(500, 'TimeEntry: hoursWorked, or startDateTime and endDateTime, are required');
    if (startDateTime !== undefined && endDateTime !== undefined && Date.parse(endDateTime) < Date.parse(startDateTime))
      return errors(500, 'TimeEntry: endDateTime is before startDateTime');
    if (!psa.hasTicket(String(ticketID))) return errors(404, `Ticket ${ticketID} does not exist`);
    const start = startDateTime ?? entry.data.dateWorked;
    psa.timeEntries.push({
      ticketId: String(ticketID),
      start,
      end: endDateTime ?? start,
      hours: hoursWorked ?? (Date.parse(endDateTime ?? start) - Date.parse(start)) / 3_600_000,
      notes: summaryNotes ?? '',
      for: { resourceID, roleID },
    });
    return json(200, { itemId: psa.timeEntries.length });
  }
  if (entity === 'Tickets' && ticketId === undefined && req.method === 'PATCH') {
    const patch = ticketPatchSchema.safeParse(body);
    if (!patch.success) return errors(500, 'Ticket: id is required');
    const id = String(patch.data.id);
    if (!psa.hasTicket(id)) return errors(404, `Ticket ${id} does not exist`);
    if (patch.data.status !== undefined) {
      const status = String(patch.data.status);
      if (!(psa.account?.statuses ?? []).includes(status))
        return errors(500, `Ticket: status ${status} is not a valid picklist value`);
      psa.statusChanges.push({ ticketId: id, status });
    }
    return json(200, { itemId: patch.data.id });
  }
  return errors(404, `No route for ${req.method} /${path.join('/')}`);
}
