import { z } from 'zod';
import type { SignInLogRead, SignInLogs } from '../../app/ports';
import type { GraphApi } from './graphApi';
import { objectIdSegment } from './graphInput';

/**
 * A user's sign-ins from `GET /auditLogs/signIns` (https://learn.microsoft.com/graph/api/signin-list,
 * application permission AuditLog.Read.All; pages of up to 1,000, newest first). Graph refuses a
 * tenant without Entra ID P1/P2 with 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant and a
 * service without the permission with 403 Authorization_RequestDenied: both become an answer the
 * report states, not an error.
 */
const signInSchema = z.object({
  createdDateTime: z.string(),
  userPrincipalName: z.string().nullish(),
  appDisplayName: z.string().nullish(),
  ipAddress: z.string().nullish(),
  conditionalAccessStatus: z.string().nullish(),
  status: z.object({ errorCode: z.number().nullish(), failureReason: z.string().nullish() }).nullish(),
  location: z
    .object({ city: z.string().nullish(), state: z.string().nullish(), countryOrRegion: z.string().nullish() })
    .nullish(),
});

const NOT_READABLE: Readonly<Record<string, Extract<SignInLogRead, { readable: false }>>> = {
  Authentication_RequestFromNonPremiumTenantOrB2CTenant: {
    readable: false,
    reason: 'no_premium_licence',
    detail: 'the tenant has no Microsoft Entra ID P1 or P2 licence, which Graph needs to read sign-in logs',
  },
  Authorization_RequestDenied: {
    readable: false,
    reason: 'no_permission',
    detail: "the service's app in this tenant is not granted AuditLog.Read.All",
  },
};

/**
 * Graph wants an unquoted UTC time, to the second: the start is rounded down and the end up, so a
 * sign-in in the lease's last (or first) second is still in it (a lease can last under a second).
 */
function filterTime(iso: string, round: 'down' | 'up'): string {
  const ms = new Date(iso).getTime();
  const second = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
}

export class GraphSignInLogs implements SignInLogs {
  constructor(private readonly graph: GraphApi) {}

  async listSignIns(userObjectId: string, fromIso: string, toIso: string): Promise<SignInLogRead> {
    const userId = objectIdSegment('userObjectId', userObjectId);
    let notReadable: Extract<SignInLogRead, { readable: false }> | undefined;
    const step = this.graph.listStep(
      {
        operation: `read the sign-ins of user ${userId}`,
        permission: 'AuditLog.Read.All',
        expected: (error) => {
          notReadable = error.statusCode === 403 ? NOT_READABLE[error.code ?? ''] : undefined;
          return notReadable === undefined ? undefined : { value: { value: [] } };
        },
      },
      signInSchema,
      '/auditLogs/signIns',
      {
        $filter: `userId eq '${userId}' and createdDateTime ge ${filterTime(fromIso, 'down')} and createdDateTime le ${filterTime(toIso, 'up')}`,
      },
    );
    const first = await this.graph.runStep(step);
    if (notReadable !== undefined) return notReadable;
    const all = await this.graph.restOfList(step, first);
    return {
      readable: true,
      signIns: all.map((s) => ({
        createdDateTime: s.createdDateTime,
        userPrincipalName: s.userPrincipalName ?? '',
        appDisplayName: s.appDisplayName ?? null,
        ipAddress: s.ipAddress ?? null,
        errorCode: s.status?.errorCode ?? 0,
        failureReason: s.status?.failureReason ?? null,
        conditionalAccessStatus: s.conditionalAccessStatus ?? null,
        location:
          [s.location?.city, s.location?.state, s.location?.countryOrRegion]
            .filter((part): part is string => typeof part === 'string' && part !== '')
            .join(', ') || null,
      })),
    };
  }
}
