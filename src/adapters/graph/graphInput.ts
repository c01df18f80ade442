import { ValidationError } from '../../domain/errors';

/**
 * Values that end up in a Graph URL are checked against what Entra itself allows BEFORE any call,
 * then percent-encoded: user input is never spliced into a path or an OData filter as it is.
 */
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** unifiedRoleAssignment ids are base64url-like ("lAPpYvVpN0KRkAEhdxReEJC2sEqbR_9Hr48lds9SGHI-1"). */
const ASSIGNMENT_ID = /^[A-Za-z0-9_-]{1,256}$/;
/**
 * Entra's UPN rules: up to 64 characters before the @ from A–Z a–z 0–9 ' . - _ ! # ^ ~ (no leading,
 * trailing or doubled dot), and a domain of up to 48 characters (113 in all).
 */
const UPN_LOCAL = /^[A-Za-z0-9'_!#^~-](?:[A-Za-z0-9'._!#^~-]{0,62}[A-Za-z0-9'_!#^~-])?$/;
const UPN_DOMAIN = /^(?=.{1,48}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

function refuse(field: string, message: string): never {
  throw new ValidationError([{ field, message }]);
}

/** An Entra object id (user, group, service principal), ready for a URL path. */
export function objectIdSegment(field: string, id: string): string {
  if (!GUID.test(id)) refuse(field, 'must be an Entra object id (a GUID)');
  return id.toLowerCase();
}

export function assignmentIdSegment(id: string): string {
  if (!ASSIGNMENT_ID.test(id)) refuse('assignmentId', 'must be a role assignment id (letters, digits, - and _)');
  return id;
}

export function checkUserPrincipalName(upn: string): string {
  const at = upn.lastIndexOf('@');
  const local = upn.slice(0, at);
  const domain = upn.slice(at + 1);
  if (at <= 0 || !UPN_LOCAL.test(local) || local.includes('..') || !UPN_DOMAIN.test(domain)) {
    refuse(
      'userPrincipalName',
      "must be a user principal name Entra accepts: letters, digits and ' . - _ ! # ^ ~ before the @ (at most 64), a domain of at most 48 characters after it",
    );
  }
  return upn;
}

/** A UPN as a URL path segment (`#` and `^` must be percent-encoded; encodeURIComponent does). */
export function userPrincipalNameSegment(upn: string): string {
  return encodeURIComponent(checkUserPrincipalName(upn));
}

export function domainSegment(name: string): string {
  if (!DOMAIN.test(name)) refuse('domain', 'must be a domain name such as contoso.com');
  return name.toLowerCase();
}

/** mailNickname: Entra refuses @ () \ [ ] " ; : < > , and spaces, and allows at most 64 characters. */
export function checkMailNickname(nickname: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(nickname) || /[@()\\[\]";:<>,]/.test(nickname))
    refuse('mailNickname', 'must be 1–64 characters without spaces or @ ( ) \\ [ ] " ; : < > ,');
  return nickname;
}
