import type { GdapRelationship } from './directory';

/**
 * The Entra sandbox's seed: one home tenant (the MSP) and two customer tenants. The sandbox starts
 * from this and `POST /_sandbox/reset` returns to it. The launcher and the tests read the ids and
 * the local-only app secrets from here; none of these values exist outside the local stack.
 */

/** Built-in directory role template ids, as in every Entra tenant. */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  privilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  authenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  groupsAdministrator: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  passwordAdministrator: '966707d0-3269-4727-9be2-8c3a10f19b9d',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  intuneAdministrator: '3a2c62db-5318-420d-8d74-23affee5d9d5',
  teamsAdministrator: '69091246-20e8-4a56-aa4d-066075b2a7a8',
  sharePointAdministrator: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
} as const;

export const ROLE_DISPLAY_NAMES: Readonly<Record<string, string>> = {
  [ROLE_TEMPLATES.globalAdministrator]: 'Global Administrator',
  [ROLE_TEMPLATES.userAdministrator]: 'User Administrator',
  [ROLE_TEMPLATES.helpdeskAdministrator]: 'Helpdesk Administrator',
  [ROLE_TEMPLATES.privilegedAuthenticationAdministrator]: 'Privileged Authentication Administrator',
  [ROLE_TEMPLATES.privilegedRoleAdministrator]: 'Privileged Role Administrator',
  [ROLE_TEMPLATES.authenticationAdministrator]: 'Authentication Administrator',
  [ROLE_TEMPLATES.groupsAdministrator]: 'Groups Administrator',
  [ROLE_TEMPLATES.exchangeAdministrator]: 'Exchange Administrator',
  [ROLE_TEMPLATES.securityReader]: 'Security Reader',
  [ROLE_TEMPLATES.globalReader]: 'Global Reader',
  [ROLE_TEMPLATES.passwordAdministrator]: 'Password Administrator',
  [ROLE_TEMPLATES.securityAdministrator]: 'Security Administrator',
  [ROLE_TEMPLATES.cloudApplicationAdministrator]: 'Cloud Application Administrator',
  [ROLE_TEMPLATES.intuneAdministrator]: 'Intune Administrator',
  [ROLE_TEMPLATES.teamsAdministrator]: 'Teams Administrator',
  [ROLE_TEMPLATES.sharePointAdministrator]: 'SharePoint Administrator',
};

/**
 * A custom directory role, served in every tenant: its id is its templateId, made when the role was
 * created (so unlike a built-in's it differs from tenant to tenant in Entra).
 */
export const CUSTOM_ROLES = [
  {
    id: '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    displayName: 'MSP Password Reset Operator',
    description: 'Custom role: reset passwords of non-admin users and read sign-in logs.',
  },
] as const;

/** Graph application permissions the service's app needs in a customer tenant. */
export const FULL_APP_PERMISSIONS = [
  'User.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'GroupMember.ReadWrite.All',
  'Domain.Read.All',
  'Directory.Read.All',
  'UserAuthenticationMethod.ReadWrite.All',
  'Policy.Read.AuthenticationMethod',
  // Customer reports read the JIT account's sign-ins (infra/scripts/create-app-registration.sh asks for it).
  'AuditLog.Read.All',
] as const;

export interface SeedUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  /** App roles of the service's API held by this user (home tenant only). */
  readonly appRoles?: readonly string[];
  /** Directory roles (template ids) held by this user. */
  readonly directoryRoles?: readonly string[];
  /** Never to be touched by the service: the sandbox refuses every write to it. */
  readonly protected?: boolean;
}

export interface SeedGroup {
  readonly id: string;
  readonly displayName: string;
  readonly isAssignableToRole: boolean;
  readonly memberIds: readonly string[];
  readonly mailEnabled?: boolean;
  readonly groupTypes?: readonly string[];
  readonly onPremisesSyncEnabled?: boolean;
}

export interface SeedDomain {
  readonly id: string;
  readonly authenticationType: 'Managed' | 'Federated';
  readonly isVerified: boolean;
  readonly isDefault: boolean;
}

export interface SeedApp {
  readonly clientId: string;
  /** The service principal's object id in this tenant. */
  readonly servicePrincipalId: string;
  readonly displayName: string;
  /** Local-only secret; the sandbox checks it on the token endpoint. */
  readonly clientSecret: string;
  /** Graph application permissions granted (admin-consented) in this tenant. */
  readonly appPermissions: readonly string[];
  /** Directory roles (template ids) held by the service principal. */
  readonly directoryRoles: readonly string[];
}

export interface SeedTenant {
  readonly id: string;
  /** A partner's GDAP relationships (the home tenant's only); see graph/gdap.ts. */
  readonly delegatedAdminRelationships?: readonly GdapRelationship[];
  readonly displayName: string;
  readonly domains: readonly SeedDomain[];
  readonly users: readonly SeedUser[];
  readonly groups: readonly SeedGroup[];
  readonly apps: readonly SeedApp[];
}

export const HOME_TENANT_ID = '4a1d2b3c-0d5e-4f60-8a71-b2c3d4e5f601';
export const CONTOSO_TENANT_ID = '6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01';
export const FABRIKAM_TENANT_ID = '8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02';

/** The service's own app registration in the home tenant: the API audience. */
export const SERVICE_APP: SeedApp = {
  clientId: '0f1e2d3c-4b5a-4697-8877-66554433a001',
  servicePrincipalId: '0f1e2d3c-4b5a-4697-8877-66554433a002',
  displayName: 'Entra JIT',
  clientSecret: 'local-sandbox-service-secret-not-for-production',
  // Mail.Send in the home tenant only: lease emails go out from a mailbox of the MSP (JIT_NOTIFY_MAIL_FROM).
  // DelegatedAdminRelationship.Read.All: the MSP's GDAP customers and access assignments (docs/gdap.md).
  appPermissions: [...FULL_APP_PERMISSIONS, 'Mail.Send', 'DelegatedAdminRelationship.Read.All'],
  directoryRoles: [ROLE_TEMPLATES.privilegedAuthenticationAdministrator, ROLE_TEMPLATES.privilegedRoleAdministrator],
};

export const APP_ROLES = { admin: 'Jit.Admin', approver: 'Jit.Approver' } as const;

export const HOME_USERS = {
  alice: {
    id: '1a000000-0000-4000-8000-00000000a11c',
    userPrincipalName: 'alice@msp.example',
    displayName: 'Alice Technician',
  },
  dave: {
    id: '1a000000-0000-4000-8000-00000000da7e',
    userPrincipalName: 'dave@msp.example',
    displayName: 'Dave Technician',
  },
  bob: {
    id: '1a000000-0000-4000-8000-000000000b0b',
    userPrincipalName: 'bob@msp.example',
    displayName: 'Bob Approver',
    appRoles: [APP_ROLES.approver],
  },
  carol: {
    id: '1a000000-0000-4000-8000-0000000ca201',
    userPrincipalName: 'carol@msp.example',
    displayName: 'Carol Admin',
    appRoles: [APP_ROLES.admin],
  },
  erin: {
    id: '1a000000-0000-4000-8000-00000000e714',
    userPrincipalName: 'erin@msp.example',
    displayName: 'Erin Outsider',
  },
} as const satisfies Record<string, SeedUser>;

export const HOME_GROUPS = {
  allTechnicians: {
    id: '2b000000-0000-4000-8000-0000000a1173',
    displayName: 'All technicians',
    isAssignableToRole: false,
    memberIds: [HOME_USERS.alice.id, HOME_USERS.dave.id],
  },
  tier2: {
    id: '2b000000-0000-4000-8000-00000000f172',
    displayName: 'MSP Tier 2 elevated',
    isAssignableToRole: true,
    memberIds: [],
  },
  /** Mapped by GDAP access assignments to roles in Contoso and Fabrikam (HOME_GDAP). */
  gdapHelpdesk: {
    id: '2b000000-0000-4000-8000-00000000d4a1',
    displayName: 'GDAP Helpdesk agents',
    isAssignableToRole: false,
    memberIds: [],
  },
  /** Its only access assignment is still pending: it grants nothing yet. */
  gdapPending: {
    id: '2b000000-0000-4000-8000-00000000d4a2',
    displayName: 'GDAP User admins (pending)',
    isAssignableToRole: false,
    memberIds: [],
  },
} as const satisfies Record<string, SeedGroup>;

export function customerTenant(
  id: string,
  name: string,
  domain: string,
  marker: string,
  extraDomains: readonly SeedDomain[],
): SeedTenant {
  return {
    id,
    displayName: name,
    domains: [
      { id: domain, authenticationType: 'Managed', isVerified: true, isDefault: true },
      {
        id: `${name.toLowerCase()}.onmicrosoft.example`,
        authenticationType: 'Managed',
        isVerified: true,
        isDefault: false,
      },
      ...extraDomains,
    ],
    users: [
      {
        id: `3c000000-0000-4000-8000-${marker}00000b6a`,
        userPrincipalName: `breakglass@${domain}`,
        displayName: 'Break-glass Global Administrator',
        directoryRoles: [ROLE_TEMPLATES.globalAdministrator],
        protected: true,
      },
      {
        id: `3c000000-0000-4000-8000-${marker}0000051e`,
        userPrincipalName: `staff@${domain}`,
        displayName: `${name} staff member`,
      },
    ],
    groups: [
      {
        id: `4d000000-0000-4000-8000-${marker}00000e1d`,
        displayName: 'JIT Helpdesk Operators',
        isAssignableToRole: true,
        memberIds: [],
      },
      {
        id: `4d000000-0000-4000-8000-${marker}00000e2d`,
        displayName: 'Exchange Operators',
        isAssignableToRole: false,
        memberIds: [],
      },
      {
        id: `4d000000-0000-4000-8000-${marker}00000e6d`,
        displayName: 'All Operators',
        isAssignableToRole: false,
        memberIds: [],
      },
      // Groups whose members Graph cannot change: targets naming them are refused.
      {
        id: `4d000000-0000-4000-8000-${marker}00000e3d`,
        displayName: 'Synced Server Admins',
        isAssignableToRole: false,
        memberIds: [],
        onPremisesSyncEnabled: true,
      },
      {
        id: `4d000000-0000-4000-8000-${marker}00000e4d`,
        displayName: 'Mail-enabled Admins',
        isAssignableToRole: false,
        memberIds: [],
        mailEnabled: true,
      },
      {
        id: `4d000000-0000-4000-8000-${marker}00000e5d`,
        displayName: 'All Staff (dynamic)',
        isAssignableToRole: false,
        memberIds: [],
        groupTypes: ['DynamicMembership'],
      },
    ],
    apps: [
      {
        clientId: `5e000000-0000-4000-8000-${marker}0000a991`,
        servicePrincipalId: `5e000000-0000-4000-8000-${marker}0000a5b1`,
        displayName: 'Entra JIT (MSP)',
        clientSecret: `local-sandbox-${name.toLowerCase()}-secret-not-for-production`,
        appPermissions: [...FULL_APP_PERMISSIONS],
        directoryRoles: [
          ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
          ROLE_TEMPLATES.privilegedRoleAdministrator,
        ],
      },
    ],
  };
}

export const CONTOSO = customerTenant(CONTOSO_TENANT_ID, 'Contoso', 'contoso.example', '00c0', [
  { id: 'fed.contoso.example', authenticationType: 'Federated', isVerified: true, isDefault: false },
]);
export const FABRIKAM = customerTenant(FABRIKAM_TENANT_ID, 'Fabrikam', 'fabrikam.example', '00fa', []);

/** Customers of the MSP known only through GDAP: no sandbox directory behind them. */
export const NORTHWIND_TENANT_ID = '9a5b7c90-3d4e-4f60-8172-8c9d0e1f2a03';
export const TAILSPIN_TENANT_ID = 'ab6c8da0-4e5f-4071-9283-9d0e1f2a3b04';

/**
 * The MSP's GDAP relationships: Contoso and Fabrikam active (GDAP Helpdesk agents mapped to roles
 * in both), Northwind expired, Tailspin waiting for the customer's approval.
 */
export const HOME_GDAP = {
  contoso: {
    id: '0d1e2f30-4a5b-4c6d-8e7f-00000000c001-6c2e4f70-1a2b-4c3d-9e4f-5a6b7c8d9e01',
    displayName: 'MSP-Contoso-support',
    customer: { tenantId: CONTOSO_TENANT_ID, displayName: 'Contoso' },
    status: 'active',
    roleDefinitionIds: [
      ROLE_TEMPLATES.helpdeskAdministrator,
      ROLE_TEMPLATES.userAdministrator,
      ROLE_TEMPLATES.globalReader,
    ],
    duration: 'P730D',
    autoExtendDuration: 'P180D',
    createdDateTime: '2026-01-05T09:00:00Z',
    activatedDateTime: '2026-01-06T10:00:00Z',
    endDateTime: '2028-01-06T10:00:00Z',
    accessAssignments: [
      {
        id: '7a000000-0000-4000-8000-00000000c0a1',
        groupId: HOME_GROUPS.gdapHelpdesk.id,
        roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.globalReader],
        status: 'active',
        createdDateTime: '2026-01-06T10:05:00Z',
      },
      {
        id: '7a000000-0000-4000-8000-00000000c0a2',
        groupId: HOME_GROUPS.gdapPending.id,
        roleDefinitionIds: [ROLE_TEMPLATES.userAdministrator],
        status: 'pending',
        createdDateTime: '2026-01-06T10:06:00Z',
      },
    ],
  },
  fabrikam: {
    id: '0d1e2f30-4a5b-4c6d-8e7f-00000000fa01-8e4a6b80-2c3d-4e5f-a061-7b8c9d0e1f02',
    displayName: 'MSP-Fabrikam-support',
    customer: { tenantId: FABRIKAM_TENANT_ID, displayName: 'Fabrikam' },
    status: 'active',
    roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator, ROLE_TEMPLATES.globalReader],
    duration: 'P365D',
    autoExtendDuration: 'PT0S',
    createdDateTime: '2026-02-01T09:00:00Z',
    activatedDateTime: '2026-02-02T09:00:00Z',
    endDateTime: '2027-02-02T09:00:00Z',
    accessAssignments: [
      {
        id: '7a000000-0000-4000-8000-00000000faa1',
        groupId: HOME_GROUPS.gdapHelpdesk.id,
        roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator],
        status: 'active',
        createdDateTime: '2026-02-02T09:05:00Z',
      },
    ],
  },
  northwind: {
    id: '0d1e2f30-4a5b-4c6d-8e7f-00000000a901-9a5b7c90-3d4e-4f60-8172-8c9d0e1f2a03',
    displayName: 'MSP-Northwind-2025',
    customer: { tenantId: NORTHWIND_TENANT_ID, displayName: 'Northwind Traders' },
    status: 'expired',
    roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator],
    duration: 'P180D',
    autoExtendDuration: 'PT0S',
    createdDateTime: '2025-06-01T09:00:00Z',
    activatedDateTime: '2025-06-02T09:00:00Z',
    endDateTime: '2025-11-29T09:00:00Z',
    accessAssignments: [
      {
        id: '7a000000-0000-4000-8000-00000000a9a1',
        groupId: HOME_GROUPS.gdapHelpdesk.id,
        roleDefinitionIds: [ROLE_TEMPLATES.helpdeskAdministrator],
        status: 'deleted',
        createdDateTime: '2025-06-02T09:05:00Z',
      },
    ],
  },
  tailspin: {
    id: '0d1e2f30-4a5b-4c6d-8e7f-00000000b701-ab6c8da0-4e5f-4071-9283-9d0e1f2a3b04',
    displayName: 'MSP-Tailspin-onboarding',
    customer: { tenantId: TAILSPIN_TENANT_ID, displayName: 'Tailspin Toys' },
    status: 'approvalPending',
    roleDefinitionIds: [ROLE_TEMPLATES.globalReader],
    duration: 'P90D',
    autoExtendDuration: 'PT0S',
    createdDateTime: '2026-11-30T09:00:00Z',
    activatedDateTime: null,
    endDateTime: null,
    accessAssignments: [],
  },
} as const satisfies Record<string, GdapRelationship>;

/**
 * The Teams bot's app registration (single-tenant, home tenant): the Azure Bot's msaAppId. It asks
 * the home tenant for Bot Connector tokens (scope https://api.botframework.com/.default) and is the
 * audience of the tokens the Bot Connector stand-in signs (local/sandbox/botConnector.ts).
 */
export const TEAMS_BOT_APP: SeedApp = {
  clientId: '0f1e2d3c-4b5a-4697-8877-66554433b0e1',
  servicePrincipalId: '0f1e2d3c-4b5a-4697-8877-66554433b0e2',
  displayName: 'Entra JIT Teams bot',
  clientSecret: 'local-sandbox-teams-bot-secret-not-for-production',
  appPermissions: [],
  directoryRoles: [],
};

export const HOME_TENANT: SeedTenant = {
  id: HOME_TENANT_ID,
  displayName: 'MSP',
  domains: [{ id: 'msp.example', authenticationType: 'Managed', isVerified: true, isDefault: true }],
  users: Object.values(HOME_USERS),
  groups: Object.values(HOME_GROUPS),
  apps: [SERVICE_APP, TEAMS_BOT_APP],
  delegatedAdminRelationships: Object.values(HOME_GDAP),
};

export const SEED_TENANTS: readonly SeedTenant[] = [HOME_TENANT, CONTOSO, FABRIKAM];

/** The app registration the service uses in a seeded tenant. */
export function seedAppOf(tenant: SeedTenant): SeedApp {
  const app = tenant.apps[0];
  if (!app) throw new Error(`seed tenant ${tenant.displayName} has no app`);
  return app;
}
