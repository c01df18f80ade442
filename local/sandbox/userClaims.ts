import type { JWTPayload } from 'jose';
import type { Tenant, User } from './directory';
import { SERVICE_APP } from './seed';
import { issuerFor, userTokenClaims, type UserTokenType } from './tokens';

/** Entra lists at most this many groups in a JWT; above it, a groups overage claim instead. */
export const JWT_GROUPS_LIMIT = 200;

export interface UserClaimsOptions {
  readonly type: UserTokenType;
  readonly baseUrl: string;
  readonly audience?: string;
  /** Issue a groups overage whatever the user's group count. */
  readonly groupsOverage?: boolean;
  /** Authentication contexts the user satisfied (access tokens only): see authenticationContexts.ts. */
  readonly acrs?: readonly string[];
}

/**
 * The claims of a user's token for the service's app, as Entra issues them: v2.0, the user's direct
 * groups (or an overage above 200), the app roles they hold, and for an access token `scp`/`azp`.
 * Used by the SPA sign-in (authorization code and refresh token grants) and `POST /_sandbox/tokens`.
 */
export function userClaims(tenant: Tenant, user: User, options: UserClaimsOptions): JWTPayload {
  const claims = userTokenClaims(
    options.type,
    {
      aud: options.audience ?? SERVICE_APP.clientId,
      iss: issuerFor(options.baseUrl, tenant.id),
      ver: '2.0',
      oid: user.id,
      sub: user.id,
      tid: tenant.id,
      preferred_username: user.userPrincipalName,
      upn: user.userPrincipalName,
      name: user.displayName,
    },
    SERVICE_APP.clientId,
  );
  const groups = tenant.groups.filter((g) => g.memberIds.includes(user.id)).map((g) => g.id);
  if (options.groupsOverage === true || groups.length > JWT_GROUPS_LIMIT) {
    // As Entra does: no groups claim, but where to read them (the caller must ask Graph).
    claims._claim_names = { groups: 'src1' };
    claims._claim_sources = {
      src1: { endpoint: `https://graph.microsoft.com/v1.0/users/${user.id}/getMemberObjects` },
    };
  } else {
    claims.groups = groups;
  }
  if (user.appRoles.length > 0) claims.roles = [...user.appRoles];
  if (options.type === 'access' && options.acrs !== undefined && options.acrs.length > 0)
    claims.acrs = [...options.acrs];
  return claims;
}
