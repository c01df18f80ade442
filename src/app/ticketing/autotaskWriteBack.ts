import { z } from 'zod';
import { baseOf, requireOk, type PsaWriter } from './writeBack';

/**
 * Autotask write-back through its REST API: a ticket note published internally only
 * (`POST /ATServicesRest/V1.0/Tickets/{id}/Notes`, TicketNotes `publish` 2) and, when configured,
 * the status (`PATCH /ATServicesRest/V1.0/Tickets`, the status picklist's numeric value). An API
 * user authenticates with the `ApiIntegrationCode`, `UserName` and `Secret` headers
 * (https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/General_Topics/REST_Security_Auth.htm);
 * `apiUrl` is the zone's web services host (zoneInformation names it). With timeEntryOnEnd, the
 * lease's time as a TimeEntry on the ticket (`POST /ATServicesRest/V1.0/TimeEntries`: ticketID,
 * resourceID and roleID, dateWorked, startDateTime/endDateTime, hoursWorked, summaryNotes;
 * .../Entities/TimeEntriesEntity.htm), for the configured resource and role, which Autotask requires.
 */
const credentialsSchema = z.strictObject({
  username: z.string().trim().min(1).max(200).describe("The API user's user name"),
  secret: z.string().min(1).max(200).describe("The API user's secret"),
  apiIntegrationCode: z.string().trim().min(1).max(200).describe("The API user's tracking identifier"),
});

/** TicketNotes publish: 2 = internal only (not shown to the customer). */
const PUBLISH_INTERNAL = 2;
/** TicketNotes noteType: 1 = a task/ticket note. */
const NOTE_TYPE = 1;

export const autotaskWriter = {
  credentialsSchema,
  settingsProblems: (settings) => [
    ...[
      ['statusOnActivation', settings.statusOnActivation],
      ['statusOnEnd', settings.statusOnEnd],
    ]
      .filter(([, value]) => value !== undefined && !/^\d{1,9}$/.test(value))
      .map(([field]) => ({
        field: `writeBack.${String(field)}`,
        message: "must be the status picklist's numeric value: Autotask sets statuses by value",
      })),
    ...(['resourceId', 'roleId'] as const)
      .filter((field) => settings.timeEntryOnEnd !== undefined && settings.timeEntryOnEnd[field] === undefined)
      .map((field) => ({
        field: `writeBack.timeEntryOnEnd.${field}`,
        message: 'is required for Autotask: a TimeEntry is entered for a resource under a role',
      })),
  ],
  async write(http, { settings, credentials, ticketId, note, status, timeEntry }) {
    const user = credentialsSchema.parse(credentials);
    const base = `${baseOf(settings.apiUrl)}/ATServicesRest/V1.0`;
    const headers = {
      ApiIntegrationCode: user.apiIntegrationCode,
      UserName: user.username,
      Secret: user.secret,
      'Content-Type': 'application/json',
    };
    requireOk(
      await http.send({
        method: 'POST',
        url: `${base}/Tickets/${ticketId}/Notes`,
        headers,
        body: JSON.stringify({
          ticketID: Number(ticketId),
          title: note.title,
          description: note.text,
          noteType: NOTE_TYPE,
          publish: PUBLISH_INTERNAL,
        }),
      }),
      `adding a note to Autotask ticket ${ticketId}`,
    );
    if (status !== null)
      requireOk(
        await http.send({
          method: 'PATCH',
          url: `${base}/Tickets`,
          headers,
          body: JSON.stringify({ id: Number(ticketId), status: Number(status) }),
        }),
        `setting the status of Autotask ticket ${ticketId}`,
      );
    const entry = settings.timeEntryOnEnd;
    if (timeEntry !== null && entry?.resourceId !== undefined && entry.roleId !== undefined)
      requireOk(
        await http.send({
          method: 'POST',
          url: `${base}/TimeEntries`,
          headers,
          body: JSON.stringify({
            ticketID: Number(ticketId),
            resourceID: Number(entry.resourceId),
            roleID: Number(entry.roleId),
            dateWorked: `${timeEntry.start.slice(0, 10)}T00:00:00Z`,
            startDateTime: timeEntry.start,
            endDateTime: timeEntry.end,
            hoursWorked: timeEntry.hours,
            summaryNotes: timeEntry.notes,
          }),
        }),
        `entering time on Autotask ticket ${ticketId}`,
      );
  },
} satisfies PsaWriter;
