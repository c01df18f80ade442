import type { DirectoryGroup } from './directoryVerification';

/** A user or group of the home tenant, as a principal picker shows it. */
export interface DirectoryPrincipal {
  readonly kind: 'user' | 'group';
  readonly objectId: string;
  readonly displayName: string;
  /** Users only. */
  readonly userPrincipalName: string | null;
}

/**
 * Searches a tenant's directory by what an admin types (pickers of the portal). `text` is matched
 * as Graph's `$search` matches it: each word of the display name (or user principal name) that
 * starts with it. At most `top` results.
 */
export interface DirectorySearch {
  searchGroups(text: string, options: { readonly top: number }): Promise<DirectoryGroup[]>;
  /** Users (by display name or user principal name) and groups (by display name). */
  searchPrincipals(text: string, options: { readonly top: number }): Promise<DirectoryPrincipal[]>;
}
