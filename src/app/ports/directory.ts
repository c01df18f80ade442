import type { Tenant } from '../../domain/config';
import type { DirectoryAccounts } from './directoryAccounts';
import type { DirectoryGroupLookup } from './directoryGroupLookup';
import type { DirectoryMail } from './directoryMail';
import type { DirectoryRolesAndGroups } from './directoryRolesAndGroups';
import type { DirectorySearch } from './directorySearch';
import type { DirectoryVerification } from './directoryVerification';
import type { PartnerRelationships } from './partnerRelationships';
import type { SignInLogs } from './signInLogs';
import type { TemporaryAccessPasses } from './temporaryAccessPasses';

/**
 * One tenant's directory (Microsoft Graph), as the use cases see it: its accounts, the roles and
 * groups they hold, their Temporary Access Passes, the onboarding checks, lease email, the
 * admin's pickers and (the home tenant's) GDAP relationships. A use
 * case or adapter that needs one part only takes that part's interface.
 */
export interface Directory
  extends
    DirectoryAccounts,
    DirectoryRolesAndGroups,
    TemporaryAccessPasses,
    DirectoryVerification,
    DirectoryMail,
    PartnerRelationships,
    DirectoryGroupLookup,
    DirectorySearch,
    SignInLogs {
  readonly tenantId: string;
}

export interface DirectoryOptions {
  /**
   * Who goes first when Graph write budgets run short: containment (what stops access at once: an
   * account's disable), then revocation cleanup (and the reconciler), then provisioning.
   */
  readonly purpose?: 'containment' | 'revocation' | 'provisioning';
}

/** Gives a Directory for a connected tenant, reusing credentials and connections. */
export interface DirectoryProvider {
  forTenant(tenant: Tenant, options?: DirectoryOptions): Promise<Directory>;
  /** Drops the tenant's cached credential and connection: its next use signs in afresh. */
  forget(tenantId: string): void;
  /**
   * A lease in the tenant will need its access stopped at `at` (its expiry): write budgets keep
   * room for that from before then, so leases expiring together are all contained at once.
   */
  expectContainment?(tenantId: string, at: Date): void;
}
