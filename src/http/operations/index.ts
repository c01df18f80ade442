import { openApiDocument } from '../openapi';
import { json } from '../respond';
import { APPROVAL_OPERATIONS } from './approvals';
import { AUDIT_OPERATIONS } from './audit';
import { CUSTOMER_OPERATIONS } from './customers';
import { DIRECTORY_OPERATIONS } from './directory';
import { ENTITLEMENT_OPERATIONS } from './entitlements';
import { INTEGRATION_OPERATIONS } from './integrations';
import { defineOperation, type HttpOperation } from './operation';
import { REPORT_OPERATIONS } from './reports';
import { REQUEST_OPERATIONS } from './requests';
import { RULE_OPERATIONS } from './rules';
import { SERVICE_OPERATIONS } from './service';
import { TARGET_OPERATIONS } from './targets';
import { TEMPLATE_OPERATIONS } from './templates';
import { TEAMS_OPERATIONS } from './teams';
import { TENANT_OPERATIONS } from './tenants';
import { WEBHOOK_OPERATIONS } from './webhooks';

export type { HttpOperation } from './operation';

/** The document describes the table it is part of, so its operation is declared beside the table. */
const OPEN_API_OPERATION = defineOperation({
  operationId: 'openApi',
  method: 'GET',
  route: 'openapi.json',
  tag: 'service',
  summary: 'This document',
  access: 'anonymous',
  durableClient: false,
  responses: { '200': { description: 'The OpenAPI 3.1 document', schema: 'OpenApiDocument' } },
  handler: async () => json(200, openApiDocument(HTTP_OPERATIONS), { 'Cache-Control': 'public, max-age=300' }),
});

/**
 * Every operation of the HTTP API, once: functions/http/operations.ts registers each as an Azure
 * function and src/http/openapi.ts documents them, in this order.
 */
export const HTTP_OPERATIONS: readonly HttpOperation[] = [
  ...SERVICE_OPERATIONS,
  OPEN_API_OPERATION,
  ...TENANT_OPERATIONS,
  ...CUSTOMER_OPERATIONS,
  ...TARGET_OPERATIONS,
  ...TEMPLATE_OPERATIONS,
  ...DIRECTORY_OPERATIONS,
  ...RULE_OPERATIONS,
  ...ENTITLEMENT_OPERATIONS,
  ...REQUEST_OPERATIONS,
  ...APPROVAL_OPERATIONS,
  ...INTEGRATION_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...TEAMS_OPERATIONS,
  ...AUDIT_OPERATIONS,
  ...REPORT_OPERATIONS,
];
