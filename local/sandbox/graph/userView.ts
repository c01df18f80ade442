import type { User } from '../directory';
import type { EntityProperties } from './odata';

/** The user as Graph v1.0 represents it; without $select only the default properties come back. */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

export const USER_PROPERTIES = [
  ...USER_DEFAULT_PROPERTIES,
  'accountEnabled',
  'createdDateTime',
  'mailNickname',
  'usageLocation',
  'userType',
  'onPremisesImmutableId',
  'employeeId',
  'lastPasswordChangeDateTime',
  'signInSessionsValidFromDateTime',
  'passwordProfile',
] as const;

export const USER_FILTER_PROPERTIES: EntityProperties = {
  id: 'string',
  userPrincipalName: 'string',
  displayName: 'string',
  mailNickname: 'string',
  mail: 'string',
  givenName: 'string',
  surname: 'string',
  userType: 'string',
  usageLocation: 'string',
  onPremisesImmutableId: 'string',
  employeeId: 'string',
  accountEnabled: 'boolean',
};

export function userRow(user: User): Record<string, unknown> {
  return {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: null,
    jobTitle: null,
    mail: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    createdDateTime: user.createdDateTime,
    mailNickname: user.mailNickname,
    usageLocation: user.usageLocation,
    userType: 'Member',
    onPremisesImmutableId: user.onPremisesImmutableId,
    employeeId: user.employeeId,
    lastPasswordChangeDateTime: user.lastPasswordChangeDateTime,
    signInSessionsValidFromDateTime: user.signInSessionsValidFromDateTime,
    // Graph never returns the password: passwordProfile reads as null.
    passwordProfile: null,
  };
}

/** Default representation (no $select). */
export function defaultUserView(user: User): Record<string, unknown> {
  const row = userRow(user);
  const out: Record<string, unknown> = {};
  for (const name of USER_DEFAULT_PROPERTIES) out[name] = row[name];
  return out;
}
