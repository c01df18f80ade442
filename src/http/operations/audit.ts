import { auditQuerySchema, auditVerifyQuerySchema } from '../../app/auditQuery';
import { listAuditHttp, verifyAuditHttp } from '../audit';
import { ADMIN_ERRORS, defineOperation, problems, queryParameters, type HttpOperation } from './operation';

export const AUDIT_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'listAudit',
    method: 'GET',
    route: 'audit',
    tag: 'audit',
    summary: 'The audit log, newest first, filtered',
    description:
      'Every lease step, decision, credential reveal, configuration change and reconciler finding. Details are non-secret facts only. An unknown or repeated parameter is a 400.',
    access: 'admin',
    durableClient: false,
    query: queryParameters(auditQuerySchema, {
      tenantId: 'Only events about this customer tenant',
      requestId: 'Only events about this request',
      requester: 'Only events about leases of this requester (home-tenant object id)',
      actor: 'Only events by this actor (object id, integration id or entra-jit for the service)',
      action: 'Only this action, e.g. lease.provisioned, request.approved, credential.revealed',
      from: 'Events at or after this time (ISO 8601 with offset)',
      to: 'Events at or before this time (ISO 8601 with offset)',
      limit: 'Page size (1 to 500, default 100)',
      continuationToken: 'From the previous page',
    }),
    responses: {
      '200': { description: 'A page of audit records', schema: 'AuditPage' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    handler: listAuditHttp,
  }),
  defineOperation({
    operationId: 'verifyAudit',
    method: 'GET',
    route: 'audit/verify',
    tag: 'audit',
    summary: 'Walk the audit hash chain and report the first broken link',
    description:
      "Without tenantId the chain of all events is checked, with it that tenant's chain. An edited record breaks its hash; a deleted one leaves a gap. " +
      'A chain rebuilt from scratch by someone with storage access is caught by an anchor: a seq and hash noted earlier outside the table (the reconciler logs the head as audit_anchor on every run).',
    access: 'admin',
    durableClient: false,
    query: queryParameters(auditVerifyQuerySchema, {
      tenantId: "Check this tenant's chain instead of the chain of all events",
      anchorSeq:
        'With anchorHash: a record noted earlier (headSeq of an earlier verification, or an audit_anchor log line)',
      anchorHash: 'With anchorSeq: the hash noted for it',
    }),
    responses: {
      '200': { description: 'The verification (intact or not: always 200)', schema: 'AuditVerification' },
      ...problems(400, ...ADMIN_ERRORS),
    },
    handler: verifyAuditHttp,
  }),
];
