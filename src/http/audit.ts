import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { auditQuerySchema, auditVerifyQuerySchema, queryAudit, verifyAudit } from '../app/auditQuery';
import { asAdmin } from './endpoint';
import { readQuery } from './query';
import { json } from './respond';

export async function listAuditHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) =>
    json(200, await queryAudit(deps, caller, readQuery(request, auditQuerySchema))),
  );
}

export async function verifyAuditHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return asAdmin(request, context, async (caller, { deps }) =>
    json(200, await verifyAudit(deps, caller, readQuery(request, auditVerifyQuerySchema))),
  );
}
