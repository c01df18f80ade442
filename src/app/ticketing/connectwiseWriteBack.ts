import { z } from 'zod';
import { baseOf, requireOk, type PsaWriter } from './writeBack';

/**
 * ConnectWise PSA (Manage) write-back through its REST API 3.0: an internal-analysis note
 * (`POST /service/tickets/{id}/notes` with internalAnalysisFlag) and, when configured, the status
 * by name (`PATCH /service/tickets/{id}`, a JSON Patch). Authentication is an API member's keys as
 * Basic `companyId+publicKey:privateKey` plus the integrator's `clientId` header
 * (https://developer.connectwise.com/Products/ConnectWise_PSA/Developer_Guide).
 */
const credentialsSchema = z.strictObject({
  publicKey: z.string().trim().min(1).max(200).describe("The API member's public key"),
  privateKey: z.string().min(1).max(200).describe("The API member's private key"),
  clientId: z.uuid().describe('The clientId ConnectWise issued to the integrator (developer.connectwise.com)'),
});

export const connectwiseWriter = {
  credentialsSchema,
  async write(http, { integration, settings, credentials, ticketId, note, status }) {
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
  },
} satisfies PsaWriter;
