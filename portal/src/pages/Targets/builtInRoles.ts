/**
 * Built-in Entra directory roles an MSP commonly grants, by template id. A built-in role's template
 * id is the same in every tenant (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference),
 * so these are offered without reading the tenant; the API still checks each against the tenant's
 * role definitions. The API has no endpoint listing a tenant's role definitions (custom roles are
 * entered by template id).
 */
export const BUILT_IN_ROLES: readonly { readonly templateId: string; readonly displayName: string }[] = [
  { templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8', displayName: 'Helpdesk Administrator' },
  { templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
  { templateId: 'c4e39bd9-1100-46d3-8c65-fb160da0071f', displayName: 'Authentication Administrator' },
  { templateId: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13', displayName: 'Privileged Authentication Administrator' },
  { templateId: 'fdd7a751-b60b-444a-984c-02652fe8fa1c', displayName: 'Groups Administrator' },
  { templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de', displayName: 'Exchange Administrator' },
  { templateId: 'e8611ab8-c189-46e8-94e1-60213ab1f814', displayName: 'Privileged Role Administrator' },
  { templateId: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader' },
  { templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' },
  { templateId: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator' },
];
