import { z } from 'zod';
import type { DirectoryMail, DirectoryUser, OutgoingMail } from '../../app/ports';
import type { PrincipalRef } from '../../domain/config';
import type { GraphApi } from './graphApi';
import { objectIdSegment, userPrincipalNameSegment } from './graphInput';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

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

const servicePrincipalSchema = z.object({
  id: z.string(),
  appRoles: z.array(z.object({ id: z.string(), value: z.string().nullish() })).nullish(),
});
const assignmentSchema = z.object({
  appRoleId: z.string(),
  principalId: z.string(),
  principalType: z.string().nullish(),
});

export class GraphMail implements DirectoryMail {
  constructor(private readonly graph: GraphApi) {}

  async sendMail(fromUserPrincipalName: string, mail: OutgoingMail): Promise<void> {
    const from = userPrincipalNameSegment(fromUserPrincipalName);
    await this.graph.run(
      { operation: `send mail from ${fromUserPrincipalName}`, permission: 'Mail.Send' },
      z.unknown(),
      (request) =>
        request(`/users/${from}/sendMail`).post({
          message: {
            subject: mail.subject,
            // Text, not HTML: what a requester wrote reaches the reader as written, never as markup.
            // HTML only for a page the service rendered and escaped itself (a customer report).
            body:
              mail.html === undefined
                ? { contentType: 'Text', content: mail.text }
                : { contentType: 'HTML', content: mail.html },
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
      {
        operation: `list members of group ${id}`,
        permission: 'GroupMember.Read.All (or Group.Read.All, Directory.Read.All)',
        expected: (error) => (error.statusCode === 404 ? { value: { value: [] } } : undefined),
      },
      memberSchema,
      `/groups/${id}/members`,
      { $select: 'id,userPrincipalName,accountEnabled' },
    );
    const all = await this.graph.restOfList(step, await this.graph.runStep(step));
    return all
      .filter(
        (m) =>
          m['@odata.type'] === '#microsoft.graph.user' &&
          typeof m.userPrincipalName === 'string' &&
          m.accountEnabled !== false,
      )
      .map((m) => ({
        objectId: m.id.toLowerCase(),
        userPrincipalName: m.userPrincipalName ?? '',
        accountEnabled: true,
        signInSessionsValidFromDateTime: null,
        lastPasswordChangeDateTime: null,
      }));
  }

  /**
   * Holders of an app role: the app's service principal and its roles, then the role's assignments
   * (https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto, Application.Read.All).
   */
  async listAppRoleHolders(appId: string, roleValue: string): Promise<PrincipalRef[]> {
    if (!GUID.test(appId)) throw new Error('listAppRoleHolders: appId must be an application (client) id, a GUID');
    const principal = await this.graph.run(
      {
        operation: `read the service principal of app ${appId}`,
        permission: 'Application.Read.All (or Directory.Read.All)',
        expected: (error) => (error.statusCode === 404 ? { value: null } : undefined),
      },
      servicePrincipalSchema.nullable(),
      (request) =>
        request(`/servicePrincipals(appId='${appId.toLowerCase()}')`).query({ $select: 'id,appRoles' }).get(),
    );
    const role = principal?.appRoles?.find((r) => r.value === roleValue);
    if (principal === null || role === undefined) return [];
    const assignments = await this.graph.listAll(
      { operation: `list the holders of ${roleValue}`, permission: 'Application.Read.All (or Directory.Read.All)' },
      assignmentSchema,
      `/servicePrincipals/${objectIdSegment('servicePrincipalId', principal.id)}/appRoleAssignedTo`,
      {},
    );
    return assignments
      .filter(
        (a) =>
          a.appRoleId.toLowerCase() === role.id.toLowerCase() &&
          (a.principalType === 'User' || a.principalType === 'Group'),
      )
      .map((a) => ({
        type: a.principalType === 'Group' ? ('group' as const) : ('user' as const),
        id: a.principalId.toLowerCase(),
      }));
  }
}
