import type { DirectoryUser } from './directoryAccounts';

export interface AccessGrant {
  readonly roleTemplateIds: readonly string[];
  readonly groupIds: readonly string[];
}

export interface DirectoryAccess {
  readonly user: DirectoryUser;
  readonly roleAssignments: RoleAssignment[];
  /** Direct group memberships. */
  readonly groupIds: string[];
}

export interface RoleAssignment {
  readonly assignmentId: string;
  readonly roleTemplateId: string;
}

/** The directory roles and groups a principal holds: one at a time, or a lease's whole grant at once. */
export interface DirectoryRolesAndGroups {
  listRoleAssignments(principalId: string): Promise<RoleAssignment[]>;
  /** Succeeds when the principal already holds the role (tenant-wide scope "/"). */
  assignRole(principalId: string, roleTemplateId: string): Promise<void>;
  /** Succeeds when the assignment is already gone. */
  removeRoleAssignment(assignmentId: string): Promise<void>;
  /** Ids of the groups the principal is a direct member of. */
  listGroupMemberships(principalId: string): Promise<string[]>;
  /** Succeeds when already a member. */
  addGroupMember(groupId: string, memberId: string): Promise<void>;
  /** Succeeds when not a member. */
  removeGroupMember(groupId: string, memberId: string): Promise<void>;
  // What a lease grants and takes back, each in as few round trips as Graph allows ($batch).
  /** Every role (tenant-wide) and group of the grant; succeeds for what the principal already holds. */
  grantAccess(principalId: string, grant: AccessGrant): Promise<void>;
  /**
   * For an account already disabled: revokes its sessions, sets `newPassword`, and removes every
   * role assignment and group membership it holds. NotFoundError when the account is gone.
   */
  stripAccess(objectId: string, newPassword: string): Promise<void>;
  /** The user with its role assignments and direct groups, read together; null when it does not exist. */
  readAccess(objectId: string): Promise<DirectoryAccess | null>;
  /** The user and every group it belongs to (nested too), read together; null when it does not exist. */
  getUserWithGroups(objectId: string): Promise<{ readonly user: DirectoryUser; readonly groupIds: string[] } | null>;
}
