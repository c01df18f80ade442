import { z } from 'zod';
import { PsaWriteBackError, baseOf, requireOk, type PsaWriter } from './writeBack';

/**
 * HaloPSA write-back through its REST API: an OAuth 2 client-credentials token from the
 * authorisation server (`POST {authUrl}/token`, scope `edit:tickets`), then an action hidden from
 * the end user (`POST {apiUrl}/Actions`, `hiddenfromuser: true`), carrying `new_status` when a
 * status is configured (https://halopsa.com/apidoc/info, "Authorisation" and "Actions"). With
 * timeEntryOnEnd, the end's action also carries the lease's time: `timetaken` (hours) and its
 * start and end (`actionarrivaldate`, `actioncompletiondate`), as a technician's action logs time.
 */
const credentialsSchema = z.strictObject({
  clientId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('The client id of the HaloPSA API application (client credentials)'),
  clientSecret: z.string().min(1).max(500).describe("The API application's client secret"),
});

const tokenAnswerSchema = z.looseObject({ access_token: z.string().min(1) });

export const halopsaWriter = {
  credentialsSchema,
  settingsProblems: (settings) => [
    ...(settings.authUrl === undefined
      ? [{ field: 'writeBack.authUrl', message: "is required for HaloPSA: its /token issues the API's tokens" }]
      : []),
    ...[
      ['statusOnActivation', settings.statusOnActivation],
      ['statusOnEnd', settings.statusOnEnd],
    ]
      .filter(([, value]) => value !== undefined && !/^\d{1,9}$/.test(value))
      .map(([field]) => ({
        field: `writeBack.${String(field)}`,
        message: "must be the status's numeric id: HaloPSA actions set new_status by id",
      })),
  ],
  async write(http, { settings, credentials, ticketId, note, status, timeEntry }) {
    const app = credentialsSchema.parse(credentials);
    const token = requireOk(
      await http.send({
        method: 'POST',
        url: `${baseOf(settings.authUrl ?? settings.apiUrl)}/token`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: app.clientSecret,
          scope: 'edit:tickets',
        }).toString(),
      }),
      'getting a HaloPSA API token',
    );
    let accessToken: string;
    try {
      accessToken = tokenAnswerSchema.parse(JSON.parse(token.body)).access_token;
    } catch {
      throw new PsaWriteBackError('getting a HaloPSA API token: the answer holds no access_token', false);
    }
    requireOk(
      await http.send({
        method: 'POST',
        url: `${baseOf(settings.apiUrl)}/Actions`,
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify([
          {
            ticket_id: Number(ticketId),
            outcome: note.title,
            note: note.text,
            hiddenfromuser: true,
            ...(status !== null ? { new_status: Number(status) } : {}),
            ...(timeEntry !== null && settings.timeEntryOnEnd !== undefined
              ? {
                  timetaken: timeEntry.hours,
                  actionarrivaldate: timeEntry.start,
                  actioncompletiondate: timeEntry.end,
                }
              : {}),
          },
        ]),
      }),
      `adding an action to HaloPSA ticket ${ticketId}`,
    );
  },
} satisfies PsaWriter;
