import { z } from 'zod';
import type { DirectoryUser, OutgoingMail } from '../../app/ports';
import type { GraphApi } from './graphApi';
import { objectIdSegment, userPrincipalNameSegment } from './graphInput';

/**
 * Lease emails through Graph: `POST /users/{from}/sendMail` with a plain-text body (application
 * permission Mail.Send; Graph answers 202 with no body and delivers later:
 * https://learn.microsoft.com/graph/api/user-sendmail), and the users of an approver group.
 */
const memberSchema = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  userPrincipalName: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
});

export class GraphMail {
  constructor(private readonly graph: GraphApi) {}

  async sendMail(fromUserPrincipalName: string, mail: OutgoingMail): Promise<void> {
    const from = userPrincipalNameSegment(fromUserPrincipalName);
    await this.graph.run({ operation: `send mail from ${fromUserPrincipalName}`, permission: 'Mail.Send' }, z.unknown(), (request) =>
      request(`/users/${from}/sendMail`).post({
        message: {
          subject: mail.subject,
          // Text, not HTML: what a requester wrote reaches the reader as written, never as markup.
          body: { contentType: 'Text', content: mail.text },
          toRecipients: mail.to.map((address) => ({ emailAddress: { address } })),
        },
        // The service's mailbox need not keep a copy of every lease message.
        saveToSentItems: false,
      }),
    );
  }

  async listGroupUsers(groupId: string): Promise<DirectoryUser[]> {
    const id = objectIdSegment('groupId', groupId);
    const step = this.graph.listStep(
      { operation: `list members of group ${id}`, permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)', expected: (error) => (error.statusCode === 404 ? { value: { value: [] } } : undefined) },
      memberSchema,
      `/groups/${id}/members`,
      { $select: 'id,userPrincipalName,accountEnabled' },
    );
    const all = await this.graph.restOfList(step, await this.graph.runStep(step));
    return all
      .filter((m) => m['@odata.type'] === '#microsoft.graph.user' && typeof m.userPrincipalName === 'string' && m.accountEnabled !== false)
      .map((m) => ({
        objectId: m.id.toLowerCase(),
        userPrincipalName: m.userPrincipalName ?? '',
        accountEnabled: true,
        signInSessionsValidFromDateTime: null,
        lastPasswordChangeDateTime: null,
      }));
  }
}
