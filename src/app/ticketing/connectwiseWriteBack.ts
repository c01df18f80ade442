import { z } from 'zod';
import { baseOf, requireOk, type PsaWriter } from './writeBack';

/**
 * ConnectWise PSA (Manage) write-back through its REST API 3.0: an internal-analysis note
 * (`POST /service/tickets/{id}/notes` with internalAnalysisFlag) and, when configured, the status
 * by name (`PATCH /service/tickets/{id}`, a JSON Patch). Authentication is an API member's keys as
 * Basic `companyId+publicKey:privateKey` plus the integrator's `clientId` header
 * (https://developer.connectwise.com/Products/ConnectWise_PSA/Developer_Guide). With timeEntryOnEnd,
 * the lease's time as a time entry charged to the ticket (`POST /time/entries`, chargeToType
 * `ServiceTicket`, timeStart/timeEnd in UTC without fractions of a second, as the API's dates are
 * written), for the configured member and work type or the API member's defaults.
 */
const credentialsSchema = z.strictObject({
  publicKey: z.string().trim().min(1).max(200).describe("The API member's public key"),
  privateKey: z.string().min(1).max(200).describe("The API member's private key"),
  clientId: z.uuid().describe('The clientId ConnectWise issued to the integrator (developer.connectwise.com)'),
});

export const connectwiseWriter = {
  credentialsSchema,
  async write(http, { integration, settings, credentials, ticketId, note, status, timeEntry }) {
    const keys = credentialsSchema.parse(credentials);
    const base = `${baseOf(settings.apiUrl)}/v4_6_release/apis/3.0`;
    const companyId = integration.kind === 'connectwise' ? integration.companyId : '';
    const basic = Buffer.from(`${companyId}+${keys.publicKey}:${keys.privateKey}`, 'utf8').toString('base64');
    const headers = {
      Authorization: `Basic ${basic}`,
      clientId: keys.clientId,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    requireOk(
      await http.send({
        method: 'POST',
        url: `${base}/service/tickets/${ticketId}/notes`,
        headers,
        body: JSON.stringify({ text: note.text, internalAnalysisFlag: true, detailDescriptionFlag: false }),
      }),
      `adding a note to ConnectWise ticket ${ticketId}`,
    );
    if (status !== null)
      requireOk(
        await http.send({
          method: 'PATCH',
          url: `${base}/service/tickets/${ticketId}`,
          headers,
          body: JSON.stringify([{ op: 'replace', path: 'status', value: { name: status } }]),
        }),
        `setting the status of ConnectWise ticket ${ticketId}`,
      );
    const entry = settings.timeEntryOnEnd;
    if (timeEntry !== null && entry !== undefined)
      requireOk(
        await http.send({
          method: 'POST',
          url: `${base}/time/entries`,
          headers,
          body: JSON.stringify({
            chargeToId: Number(ticketId),
            chargeToType: 'ServiceTicket',
            timeStart: wholeSeconds(timeEntry.start),
            timeEnd: wholeSeconds(timeEntry.end),
            actualHours: timeEntry.hours,
            notes: timeEntry.notes,
            ...(entry.memberIdentifier !== undefined ? { member: { identifier: entry.memberIdentifier } } : {}),
            ...(entry.workType !== undefined ? { workType: { name: entry.workType } } : {}),
          }),
        }),
        `entering time on ConnectWise ticket ${ticketId}`,
      );
  },
} satisfies PsaWriter;

/** ConnectWise's dates: ISO 8601 UTC to the second (`2026-12-03T14:00:00Z`). */
function wholeSeconds(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}
