import type { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { DependencyError } from '../../domain/errors';
import type { GraphApi } from './graphApi';
import { objectIdSegment } from './graphInput';
import { noContent } from './graphUsers';

/**
 * Temporary Access Passes (/users/{id}/authentication/temporaryAccessPassMethods). Graph shows a
 * pass once, in the create response; we hand it straight back to the activity (which puts it in
 * Key Vault) and never log or keep it. A user holds one pass, so create first deletes any old one.
 */
const AUTH_WRITE = 'UserAuthenticationMethod.ReadWrite.All (and Privileged Authentication Administrator for an account that holds admin roles)';
const AUTH_READ = 'UserAuthenticationMethod.Read.All';
const BASE = (id: string): string => `/users/${id}/authentication/temporaryAccessPassMethods`;

/** Graph's documented range for lifetimeInMinutes (the tenant's policy may narrow it). */
export const TAP_MIN_LIFETIME_MINUTES = 10;
export const TAP_MAX_LIFETIME_MINUTES = 43_200;

const methodSchema = z.object({ id: z.string() });
const createdSchema = z.object({ id: z.string(), temporaryAccessPass: z.string().min(1) });

function absentAsDone(error: GraphError): { readonly value: undefined } | undefined {
  return error.statusCode === 404 ? { value: undefined } : undefined;
}

export class GraphAuthMethods {
  constructor(private readonly graph: GraphApi) {}

  async createTemporaryAccessPass(objectId: string, options: { readonly lifetimeInMinutes: number; readonly isUsableOnce: boolean }): Promise<string> {
    const id = objectIdSegment('objectId', objectId);
    await this.deleteTemporaryAccessPasses(id);
    const lifetimeInMinutes = Math.min(TAP_MAX_LIFETIME_MINUTES, Math.max(TAP_MIN_LIFETIME_MINUTES, Math.ceil(options.lifetimeInMinutes)));
    const body = { lifetimeInMinutes, isUsableOnce: options.isUsableOnce };
    const created = await this.graph.run(
      { operation: `create a temporary access pass for user ${id}`, permission: AUTH_WRITE, awaitReplication: true },
      createdSchema,
      (request) => request(BASE(id)).post(body),
    ).catch((error: unknown) => {
      // The response schema failing would mean Graph answered without a pass: say so without quoting it.
      if (error instanceof DependencyError && error.code === 'UnexpectedResponse') throw new DependencyError(`Graph created no temporary access pass for user ${id}`, 'graph', 'UnexpectedResponse');
      throw error;
    });
    return created.temporaryAccessPass;
  }

  async deleteTemporaryAccessPasses(objectId: string): Promise<void> {
    const id = objectIdSegment('objectId', objectId);
    const methods = await this.list(id);
    for (const method of methods) {
      const methodId = objectIdSegment('temporaryAccessPassId', method.id);
      await this.graph.run({ operation: `delete temporary access pass ${methodId} of user ${id}`, permission: AUTH_WRITE, expected: absentAsDone }, noContent, (request) =>
        request(`${BASE(id)}/${methodId}`).delete(),
      );
    }
  }

  async countTemporaryAccessPasses(objectId: string): Promise<number> {
    return (await this.list(objectIdSegment('objectId', objectId))).length;
  }

  private async list(id: string): Promise<{ id: string }[]> {
    return this.graph
      .run({ operation: `list temporary access passes of user ${id}`, permission: AUTH_READ, expected: (e) => (e.statusCode === 404 ? { value: { value: [] } } : undefined) }, z.object({ value: z.array(methodSchema) }), (request) =>
        request(BASE(id)).get(),
      )
      .then((page) => page.value);
  }
}
