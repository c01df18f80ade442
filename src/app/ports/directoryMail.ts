import type { PrincipalRef } from '../../domain/config';
import type { DirectoryUser } from './directoryAccounts';
import type { OutgoingMail } from './leaseMailer';

/** Lease emails from a mailbox of the tenant, and who they go to (approvers, requesters). */
export interface DirectoryMail {
  /**
   * Sends a plain-text email from a mailbox of this tenant (Graph sendMail, application permission
   * Mail.Send). Graph accepts it (202) and delivers later: delivery itself is not known here.
   */
  sendMail(fromUserPrincipalName: string, mail: OutgoingMail): Promise<void>;
  /** The enabled users among a group's direct members; [] when the group is gone. */
  listGroupUsers(groupId: string): Promise<DirectoryUser[]>;
  /**
   * The users and groups assigned the app role `roleValue` (e.g. Jit.Approver) of the application
   * `appId` in this tenant; [] when the app or the role does not exist here.
   */
  listAppRoleHolders(appId: string, roleValue: string): Promise<PrincipalRef[]>;
}
