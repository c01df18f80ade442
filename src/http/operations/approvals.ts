import { approveRequestHttp, denyRequestHttp } from '../requests';
import { defineOperation, problems, type HttpOperation } from './operation';
import { STEP_UP_UNAUTHORIZED } from './stepUp';

/** Approve and deny take the same body, answer alike and are refused for the same reasons. */
const DECISION = {
  access: 'caller',
  durableClient: true,
  requestBody: 'DecisionBody',
  requestBodyRequired: false,
  responses: {
    '202': { description: 'Decision sent', schema: 'LeaseRequest', headers: ['Location'] },
    ...problems(400, 401, 403, 404, 409, 415),
  },
} as const;

export const APPROVAL_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'approveRequest',
    method: 'POST',
    route: 'requests/{id}/approve',
    tag: 'approvals',
    summary: 'Approve a request waiting for approval (202: the lease orchestration provisions it)',
    description:
      "A target whose stepUp names an approverAuthenticationContext asks the approver's token for it first (401 claims challenge; denying needs none). " +
      "Nobody decides their own request (403, whatever their roles). Then only the target's listed approvers (users or groups) decide, or, when it lists none, any holder of Jit.Approver " +
      '(Jit.Admin alone is not enough): 403. Only a pending request before its approval deadline can be decided: 409. The answer is the request once the orchestration has recorded the decision ' +
      '(`decision` with who, by UPN, and when; `provisioning` or later), or, if that takes over 5 s, as it stands then; follow Location.',
    ...DECISION,
    responses: { ...DECISION.responses, ...STEP_UP_UNAUTHORIZED },
    handler: approveRequestHttp,
  }),
  defineOperation({
    operationId: 'denyRequest',
    method: 'POST',
    route: 'requests/{id}/deny',
    tag: 'approvals',
    summary: 'Deny a request waiting for approval (202: the lease orchestration ends it, endReason denied)',
    description:
      'The same checks as approve: not your own request, an eligible approver (403), still pending before its deadline (409). The answer is the request once the decision is recorded ' +
      '(`ended`, `endReason` denied, `decision` with who and when), or as it stands after 5 s; follow Location.',
    ...DECISION,
    handler: denyRequestHttp,
  }),
];
