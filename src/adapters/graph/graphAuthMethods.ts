import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { DependencyError, NotFoundError } from '../../domain/errors';
import { passLifetimeFor, type TemporaryAccessPassPolicy } from '../../domain/temporaryAccessPassPolicy';
import type { GraphApi } from './graphApi';
import { objectIdSegment } from './graphInput';
import { noContent } from './graphUsers';

/**
 * Temporary Access Passes (/users/{id}/authentication/temporaryAccessPassMethods) and the tenant's
 * policy for them. Graph shows a pass once, in the create response; we hand it straight back to the
 * activity (which puts it in Key Vault) and never log or keep it. A user holds one pass, so create
 * first deletes any old one. Every pass is made within the tenant's policy (temporaryAccessPassPolicy.ts).
 */
const AUTH_WRITE =
  'UserAuthenticationMethod.ReadWrite.All (and Privileged Authentication Administrator for an account that holds admin roles)';
const AUTH_READ = 'UserAuthenticationMethod.Read.All (or UserAuthenticationMethod.ReadWrite.All)';
const POLICY_READ = 'Policy.Read.AuthenticationMethod';
const BASE = (id: string): string => `/users/${id}/authentication/temporaryAccessPassMethods`;
const POLICY_PATH = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass';

const methodSchema = z.object({
  id: z.string(),
  startDateTime: z.string().nullish(),
  createdDateTime: z.string().nullish(),
  lifetimeInMinutes: z.number().nullish(),
});
const createdSchema = z.object({ id: z.string(), temporaryAccessPass: z.string().min(1) });
const policyTargetSchema = z.object({ id: z.string() });
const policySchema = z
  .object({
    state: z.string(),
    minimumLifetimeInMinutes: z.number().int().nullish(),
    maximumLifetimeInMinutes: z.number().int().nullish(),
    isUsableOnce: z.boolean().nullish(),
    includeTargets: z.array(policyTargetSchema).nullish(),
    excludeTargets: z.array(policyTargetSchema).nullish(),
  })
  .transform((p): TemporaryAccessPassPolicy => ({
    enabled: p.state === 'enabled',
    // Entra's defaults when a property is absent: 1 hour to 8 hours, reusable, all users.
    minimumLifetimeInMinutes: p.minimumLifetimeInMinutes ?? 60,
    maximumLifetimeInMinutes: p.maximumLifetimeInMinutes ?? 480,
    isUsableOnce: p.isUsableOnce ?? false,
    includeTargets: (p.includeTargets ?? []).map((t) => t.id),
    excludeTargets: (p.excludeTargets ?? []).map((t) => t.id),
  }));

function absentAsDone(error: GraphError): { readonly value: undefined } | undefined {
  return error.statusCode === 404 ? { value: undefined } : undefined;
}

export class GraphAuthMethods {
  constructor(private readonly graph: GraphApi) {}

  async createTemporaryAccessPass(
    objectId: string,
    options: { readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean },
  ): Promise<string> {
    const id = objectIdSegment('objectId', objectId);
    const lifetime = passLifetimeFor(await this.getPolicy(), options.lifetimeInMinutes * 60_000, options.isUsableOnce);
    if (!lifetime.ok)
      throw new DependencyError(
        `no temporary access pass can be created for user ${id} in tenant ${this.graph.tenantId}: ${lifetime.reason}`,
        'graph',
        'TemporaryAccessPassPolicy',
      );
    await this.deleteTemporaryAccessPasses(id);
    const body = { lifetimeInMinutes: lifetime.lifetimeInMinutes, isUsableOnce: lifetime.isUsableOnce };
    const created = await this.graph
      .run(
        {
          operation: `create a temporary access pass for user ${id}`,
          permission: AUTH_WRITE,
          awaitReplication: true,
          mustExist: [
            {
              path: `/users/${id}`,
              permission: 'User.Read.All',
              preexisting: false,
              gone: () => new NotFoundError(`user ${id} does not exist in tenant ${this.graph.tenantId}`),
            },
          ],
        },
        createdSchema,
        (request) => request(BASE(id)).post(body),
      )
      .catch((error: unknown) => {
        // The response schema failing would mean Graph answered without a pass: say so without quoting it.
        if (error instanceof DependencyError && error.code === 'UnexpectedResponse')
          throw new DependencyError(
            `Graph created no temporary access pass for user ${id}`,
            'graph',
            'UnexpectedResponse',
          );
        throw error;
      });
    return created.temporaryAccessPass;
  }

  async deleteTemporaryAccessPasses(objectId: string): Promise<void> {
    const id = objectIdSegment('objectId', objectId);
    const methods = await this.list(id);
    for (const method of methods) {
      const methodId = objectIdSegment('temporaryAccessPassId', method.id);
      await this.graph.run(
        {
          operation: `delete temporary access pass ${methodId} of user ${id}`,
          permission: AUTH_WRITE,
          expected: absentAsDone,
        },
        noContent,
        (request) => request(`${BASE(id)}/${methodId}`).delete(),
      );
    }
  }

  async countTemporaryAccessPasses(objectId: string): Promise<number> {
    return (await this.list(objectIdSegment('objectId', objectId))).length;
  }

  async getTemporaryAccessPassExpiry(objectId: string): Promise<Date | null> {
    const ends = (await this.list(objectIdSegment('objectId', objectId))).map((m) => {
      const start = Date.parse(m.startDateTime ?? m.createdDateTime ?? '');
      return Number.isNaN(start) || m.lifetimeInMinutes == null ? Number.NaN : start + m.lifetimeInMinutes * 60_000;
    });
    // A pass Graph shows without its times counts as expired: better a new pass than none.
    return ends.length === 0 ? null : new Date(Math.max(...ends.map((end) => (Number.isNaN(end) ? 0 : end))));
  }

  async getPolicy(): Promise<TemporaryAccessPassPolicy> {
    return this.graph.run(
      { operation: 'read the Temporary Access Pass policy', permission: POLICY_READ },
      policySchema,
      (request) => request(POLICY_PATH).get(),
    );
  }

  private async list(id: string): Promise<z.infer<typeof methodSchema>[]> {
    return this.graph
      .run(
        {
          operation: `list temporary access passes of user ${id}`,
          permission: AUTH_READ,
          expected: (e) => (e.statusCode === 404 ? { value: { value: [] } } : undefined),
        },
        z.object({ value: z.array(methodSchema) }),
        (request) => request(BASE(id)).get(),
      )
      .then((page) => page.value);
  }
}
