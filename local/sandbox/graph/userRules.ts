import type { Tenant } from '../directory';
import { badRequest, GraphError } from './context';

/**
 * Entra's rules for a cloud user's password, UPN and mail nickname, with Graph's messages:
 * - password: 8–256 characters, at least three of lowercase, uppercase, digits and symbols, only
 *   the allowed ASCII characters, not containing the account's alias (Entra password policies,
 *   learn.microsoft.com/entra/identity/authentication/concept-sspr-policy); refusal message as in
 *   microsoftgraph/msgraph-sdk-java-auth#36 and msgraph-sdk-dotnet#2793.
 * - UPN: `alias@verified-domain`, alias ≤ 64 of A–Z a–z 0–9 ' . - _ ! # ^ ~ (user-post-users docs);
 *   "Property userPrincipalName is invalid." with an InvalidValue detail otherwise.
 * - a federated domain needs onPremisesImmutableId (user-post-users docs); Graph's refusal text
 *   "SourceAnchor is a required property for creation of a federated user." (microsoft-graph-docs#8668).
 */
export const PASSWORD_COMPLEXITY_MESSAGE =
  'The specified password does not comply with password complexity requirements. Please provide a different password.';

const PASSWORD_ALLOWED = /^[A-Za-z0-9@#$%^&*\-_!+=[\]{}|\\:',.?/`~"();<> ]*$/;

export function checkPassword(password: string, userPrincipalName: string): void {
  const alias = (userPrincipalName.split('@')[0] ?? '').toLowerCase();
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const ok =
    password.length >= 8 &&
    password.length <= 256 &&
    PASSWORD_ALLOWED.test(password) &&
    classes >= 3 &&
    !(alias.length >= 3 && password.toLowerCase().includes(alias));
  if (!ok) throw badRequest(PASSWORD_COMPLEXITY_MESSAGE);
}

const UPN_ALIAS = /^[A-Za-z0-9'.\-_!#^~]{1,64}$/;

function invalidProperty(property: string, resource = 'User'): GraphError {
  return badRequest(`Invalid value specified for property '${property}' of resource '${resource}'.`);
}

export function invalidUserProperty(property: string): GraphError {
  return invalidProperty(property);
}

/** Returns the domain of a valid UPN of this tenant, or throws Graph's refusal. */
export function checkUserPrincipalName(
  tenant: Tenant,
  upn: string,
  onPremisesImmutableId: string | null | undefined,
): void {
  const at = upn.lastIndexOf('@');
  const alias = upn.slice(0, at);
  const domainName = upn.slice(at + 1).toLowerCase();
  if (
    at <= 0 ||
    !UPN_ALIAS.test(alias) ||
    alias.startsWith('.') ||
    alias.endsWith('.') ||
    alias.includes('..') ||
    !/^[a-z0-9.-]+$/.test(domainName)
  ) {
    throw badRequest('Property userPrincipalName is invalid.', 'Request_BadRequest', [
      { target: 'userPrincipalName', code: 'InvalidValue' },
    ]);
  }
  const domain = tenant.domains.find((d) => d.id.toLowerCase() === domainName);
  if (domain === undefined || !domain.isVerified) {
    throw badRequest(
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
      'Request_BadRequest',
      [{ target: 'userPrincipalName', code: 'InvalidValue' }],
    );
  }
  if (
    domain.authenticationType === 'Federated' &&
    (onPremisesImmutableId === undefined || onPremisesImmutableId === null || onPremisesImmutableId === '')
  ) {
    throw badRequest('SourceAnchor is a required property for creation of a federated user.');
  }
}

/** mailNickname: ≤ 64 ASCII characters without spaces or @ ( ) \ [ ] " ; : < > , */
export function checkMailNickname(mailNickname: string): void {
  if (!/^[\x21-\x7e]{1,64}$/.test(mailNickname) || /[@()\\[\]";:<>,]/.test(mailNickname))
    throw invalidProperty('mailNickname');
}

export function checkUsageLocation(usageLocation: string | null | undefined): void {
  if (usageLocation !== undefined && usageLocation !== null && !/^[A-Za-z]{2}$/.test(usageLocation))
    throw invalidProperty('usageLocation');
}
