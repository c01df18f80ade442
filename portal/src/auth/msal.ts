import {
  BrowserCacheLocation,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type IPublicClientApplication,
} from '@azure/msal-browser';
import type { PortalConfig } from '../config';

/**
 * Sign-in with MSAL: authorization code flow with PKCE (loginRedirect), tokens kept in
 * sessionStorage only (gone with the tab), never in localStorage or the URL.
 */
export async function createMsal(config: PortalConfig): Promise<PublicClientApplication> {
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      // A host that is not a Microsoft cloud (the local sandbox) must be named to be trusted.
      knownAuthorities: [new URL(config.authority).host],
      redirectUri: `${window.location.origin}/`,
      postLogoutRedirectUri: `${window.location.origin}/`,
    },
    cache: { cacheLocation: BrowserCacheLocation.SessionStorage },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  if (result?.account) msal.setActiveAccount(result.account);
  else if (!msal.getActiveAccount()) {
    const [first] = msal.getAllAccounts();
    if (first) msal.setActiveAccount(first);
  }
  return msal;
}

/** An access token for the API; a fresh sign-in (redirect) when the session can no longer get one silently. */
export async function apiToken(msal: IPublicClientApplication, scope: string): Promise<string> {
  const account = msal.getActiveAccount();
  if (!account) throw new Error('not signed in');
  try {
    return (await msal.acquireTokenSilent({ scopes: [scope], account })).accessToken;
  } catch (error) {
    if (error instanceof InteractionRequiredAuthError) {
      await msal.acquireTokenRedirect({ scopes: [scope], account });
      throw new Error('signing in again');
    }
    throw error;
  }
}

/**
 * A token satisfying the API's claims request (step-up, e.g. an authentication context whose policy
 * asks for MFA): silently when the session already satisfies it, else Entra's sign-in with the
 * claims request (redirect; back in the portal the token carries `acrs` and the action is repeated).
 */
export async function stepUpToken(msal: IPublicClientApplication, scope: string, claims: string): Promise<string> {
  const account = msal.getActiveAccount();
  if (!account) throw new Error('not signed in');
  try {
    return (await msal.acquireTokenSilent({ scopes: [scope], account, claims })).accessToken;
  } catch (error) {
    if (error instanceof InteractionRequiredAuthError) {
      await msal.acquireTokenRedirect({ scopes: [scope], account, claims });
      throw new Error('This action needs a stronger sign-in: verifying your identity');
    }
    throw error;
  }
}

export function signIn(msal: IPublicClientApplication, scope: string): Promise<void> {
  return msal.loginRedirect({ scopes: [scope], prompt: 'select_account' });
}

/** Sign-out: MSAL's cache, everything else the portal kept in the tab, then the identity provider's session. */
export async function signOut(msal: IPublicClientApplication, account: AccountInfo | null): Promise<void> {
  window.sessionStorage.clear();
  await msal.logoutRedirect({ account });
}

export interface SignedInPerson {
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly roles: readonly string[];
}

export function personOf(account: AccountInfo): SignedInPerson {
  const roles = account.idTokenClaims?.roles;
  return {
    userPrincipalName: account.username,
    displayName: account.name ?? account.username,
    roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
  };
}
