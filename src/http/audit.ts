import type { HttpResponseInit } from '@azure/functions';
import { auditQuerySchema, auditVerifyQuerySchema, queryAudit, verifyAudit } from '../app/auditQuery';
import type { AuthenticatedCall } from './operations/operation';
import { readQuery } from './query';
import { json } from './respond';

export async function listAuditHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await queryAudit(services.deps, caller, readQuery(request, auditQuerySchema)));
}

export async function verifyAuditHttp({ request, caller, services }: AuthenticatedCall): Promise<HttpResponseInit> {
  return json(200, await verifyAudit(services.deps, caller, readQuery(request, auditVerifyQuerySchema)));
}
