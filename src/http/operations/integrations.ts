import {
  createIntegrationHttp,
  deleteIntegrationHttp,
  getIntegrationHttp,
  listIntegrationsHttp,
  patchIntegrationHttp,
} from '../integrations';
import { ADMIN_ERRORS, defineOperation, problems, type HttpOperation } from './operation';

export const INTEGRATION_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'createIntegration',
    method: 'POST',
    route: 'integrations',
    tag: 'integrations',
    summary: 'Register a ticketing integration; its secret is in this answer only',
    description:
      "`kind` generic (the default) takes the signed event below; connectwise, autotask and halopsa take those PSAs' native webhooks, with a `mapping` from tickets to access requests (docs/ticketing.md). " +
      'The 256-bit secret that authenticates deliveries (generic and autotask: `signingSecret`, used as the literal string; halopsa: `basicAuth`; connectwise: `callbackSecret`, carried in the callback URL `callbackPath`) is generated here and kept in Key Vault; ' +
      "it is never shown again (rotate it with PATCH). ConnectWise also signs its callbacks, but with keys any company on the same ConnectWise cloud can have: the URL secret is what tells the MSP's callbacks apart. " +
      'A connectwise `callbackKeyOrigin` on loopback or a private address is refused outside local development. Events go to `webhookPath`.',
    access: 'admin',
    durableClient: false,
    requestBody: 'CreateIntegrationBody',
    responses: {
      '201': { description: 'Created', schema: 'CreatedIntegration', headers: ['Location', 'ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 413, 415),
    },
    handler: createIntegrationHttp,
  }),
  defineOperation({
    operationId: 'listIntegrations',
    method: 'GET',
    route: 'integrations',
    tag: 'integrations',
    summary: 'Ticketing integrations (never their secrets)',
    access: 'admin',
    durableClient: false,
    responses: { '200': { description: 'Every integration', schema: 'IntegrationList' }, ...problems(...ADMIN_ERRORS) },
    handler: listIntegrationsHttp,
  }),
  defineOperation({
    operationId: 'getIntegration',
    method: 'GET',
    route: 'integrations/{integrationId}',
    tag: 'integrations',
    summary: 'One ticketing integration (never its secret), with its ETag',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'The integration', schema: 'Integration', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    handler: getIntegrationHttp,
  }),
  defineOperation({
    operationId: 'patchIntegration',
    method: 'PATCH',
    route: 'integrations/{integrationId}',
    tag: 'integrations',
    summary: 'Rename, disable or enable an integration, replace its mapping, or rotate its secret',
    description:
      '`enabled: false` refuses every delivery (404) and audits it (`webhook.refused`, at most once a minute per integration) until it is enabled again. ' +
      '`rotateSecret` makes a new secret, shown in this answer only (the same field as at creation); the replaced one keeps authenticating deliveries for `overlap` ' +
      '(at most P7D; none: it stops at once), so the sender can be switched over without losing deliveries. A `mapping` replaces the old one as a whole (its tenants must be connected).',
    access: 'admin',
    durableClient: false,
    conditional: true,
    requestBody: 'PatchIntegrationBody',
    responses: {
      '200': { description: 'Changed', schema: 'PatchedIntegration', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 409, 412, 413, 415),
    },
    handler: patchIntegrationHttp,
  }),
  defineOperation({
    operationId: 'deleteIntegration',
    method: 'DELETE',
    route: 'integrations/{integrationId}',
    tag: 'integrations',
    summary: 'Delete an integration: its secrets leave Key Vault; later deliveries are refused (404) and audited',
    access: 'admin',
    durableClient: false,
    conditional: true,
    responses: { '204': { description: 'Deleted' }, ...problems(...ADMIN_ERRORS, 404, 412) },
    handler: deleteIntegrationHttp,
  }),
];
