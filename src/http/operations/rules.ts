import { createRuleHttp, deleteRuleHttp, getRuleHttp, listRulesHttp, replaceRuleHttp } from '../admin/rules';
import { ADMIN_ERRORS, defineOperation, problems, type HttpOperation } from './operation';

export const RULE_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'createRule',
    method: 'POST',
    route: 'rules',
    tag: 'rules',
    summary: 'Who may request what: IF principal (user or group) THEN targets',
    description:
      'scope is one of: { targets: [...] }; { tenants: [...] } (every target of these tenants); { allTenants: true } (every target of every connected tenant, including those connected later; no list, so no cap); ' +
      '{ tenantTag: "gold" } (every target of the tenants tagged so, as tags change). approvalRequired true forces approval whatever other rules say; false waives it only in a rule scoped to targets.',
    access: 'admin',
    durableClient: false,
    requestBody: 'CreateRuleBody',
    responses: {
      '201': { description: 'Created', schema: 'Rule', headers: ['Location', 'ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 409),
    },
    handler: createRuleHttp,
  }),
  defineOperation({
    operationId: 'listRules',
    method: 'GET',
    route: 'rules',
    tag: 'rules',
    summary: 'Every rule',
    access: 'admin',
    durableClient: false,
    responses: { '200': { description: 'The rules', schema: 'RuleList' }, ...problems(...ADMIN_ERRORS) },
    handler: listRulesHttp,
  }),
  defineOperation({
    operationId: 'getRule',
    method: 'GET',
    route: 'rules/{ruleId}',
    tag: 'rules',
    summary: 'One rule',
    access: 'admin',
    durableClient: false,
    responses: {
      '200': { description: 'The rule', schema: 'Rule', headers: ['ETag'] },
      ...problems(...ADMIN_ERRORS, 404),
    },
    handler: getRuleHttp,
  }),
  defineOperation({
    operationId: 'replaceRule',
    method: 'PUT',
    route: 'rules/{ruleId}',
    tag: 'rules',
    summary: 'Replace a rule',
    access: 'admin',
    durableClient: false,
    conditional: true,
    requestBody: 'ReplaceRuleBody',
    responses: {
      '200': { description: 'Replaced', schema: 'Rule', headers: ['ETag'] },
      ...problems(400, ...ADMIN_ERRORS, 404, 412),
    },
    handler: replaceRuleHttp,
  }),
  defineOperation({
    operationId: 'deleteRule',
    method: 'DELETE',
    route: 'rules/{ruleId}',
    tag: 'rules',
    summary: 'Delete a rule',
    access: 'admin',
    durableClient: false,
    conditional: true,
    responses: { '204': { description: 'Deleted' }, ...problems(...ADMIN_ERRORS, 404, 412) },
    handler: deleteRuleHttp,
  }),
];
