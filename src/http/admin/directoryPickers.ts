import type { HttpResponseInit } from '@azure/functions';
import {
  directorySearchQuerySchema,
  listRoleDefinitions,
  searchHomePrincipals,
  searchTenantGroups,
} from '../../app/config/directoryPickers';
import type { AuthenticatedCall } from '../operations/operation';
import { readQuery } from '../query';
import { json } from '../respond';
import { tenantIdOf } from './conditional';

export async function listRoleDefinitionsHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await listRoleDefinitions(services.deps, caller, tenantIdOf(request)));
}

export async function searchTenantGroupsHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  const tenantId = tenantIdOf(request);
  return json(
    200,
    await searchTenantGroups(services.deps, caller, tenantId, readQuery(request, directorySearchQuerySchema)),
  );
}

export async function searchHomePrincipalsHttp({
  request,
  caller,
  services,
}: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await searchHomePrincipals(services.deps, caller, readQuery(request, directorySearchQuerySchema)));
}
