import { IDEMPOTENCY_KEY_HEADER } from '../../app/idempotency';
import { listRequestsQuerySchema } from '../../app/requests';
import {
  extendRequestHttp,
  getRequestHttp,
  listRequestsHttp,
  revealCredentialHttp,
  revokeRequestHttp,
  submitRequestHttp,
} from '../requests';
import { defineOperation, problems, queryParameters, type HttpOperation } from './operation';
import { LIFECYCLE, REQUEST_STATUSES } from './lifecycle';
import { STEP_UP_UNAUTHORIZED } from './stepUp';

export const REQUEST_OPERATIONS: readonly HttpOperation[] = [
  defineOperation({
    operationId: 'submitRequest',
    method: 'POST',
    route: 'requests',
    tag: 'requests',
    summary: 'Ask for access (202 and a Location to follow)',
    description:
      "The entitlement, then the target's stepUp authenticationContext (a token without it gets a 401 claims challenge, never kept for an Idempotency-Key), then the duration bounds and the justification/ticket the policy asks for are checked. " +
      'One live request per requester and tenant (409 names the live one). ' +
      'With an `Idempotency-Key`, a repeat of the same body answers the first outcome (also a refusal) with `Idempotent-Replayed: true` and starts nothing; the same key with another body is a 422. ' +
      LIFECYCLE,
    access: 'caller',
    durableClient: true,
    requestBody: 'SubmitRequestBody',
    requestHeaders: [
      {
        name: IDEMPOTENCY_KEY_HEADER,
        description:
          'Optional, 1 to 200 visible ASCII characters, scoped to the caller: a retry with the same key and body gets the first answer instead of a second request',
        schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
      },
    ],
    responses: {
      '202': {
        description: 'Accepted: pending_approval (the target or rule needs approval) or provisioning',
        schema: 'LeaseRequest',
        headers: [
          'Location',
          {
            name: 'Idempotent-Replayed',
            description: "'true' when this is the stored answer to an earlier request with the same Idempotency-Key",
            required: false,
          },
        ],
      },
      ...problems(400, 401, 403, 404, 409, 422),
      ...STEP_UP_UNAUTHORIZED,
    },
    handler: submitRequestHttp,
  }),
  defineOperation({
    operationId: 'listRequests',
    method: 'GET',
    route: 'requests',
    tag: 'requests',
    summary:
      'Requests, newest first: admins see all, everyone else their own; `awaiting=me` lists what the caller may decide now',
    description:
      '`awaiting=me` reads a page of pending requests and keeps those the caller may decide (not their own, and an eligible approver), so a page can hold fewer than `limit` ' +
      "while `continuationToken` is not null; it ignores `status` and `mine`. `decidedBy=me` reads the caller's audit records, likewise a page at a time. A non-admin always gets their own requests, whatever `mine` says. An unknown or repeated parameter is a 400.",
    access: 'caller',
    durableClient: false,
    query: queryParameters(listRequestsQuerySchema, {
      status: `Comma-separated statuses to keep: ${REQUEST_STATUSES.join(', ')}`,
      tenantId: 'Only requests for this customer tenant',
      mine: "'true': only the caller's own requests (what non-admins always get)",
      awaiting: "'me': requests waiting for a decision the caller may make",
      decidedBy: "'me': requests the caller approved (in part or in full) or denied, newest decision first",
      limit: 'Page size (1 to 200, default 50)',
      continuationToken: 'From the previous page',
    }),
    responses: { '200': { description: 'A page of requests', schema: 'RequestPage' }, ...problems(400, 401) },
    handler: listRequestsHttp,
  }),
  defineOperation({
    operationId: 'getRequest',
    method: 'GET',
    route: 'requests/{id}',
    tag: 'requests',
    summary: 'A request and its status',
    description: `The requester, an approver or an admin. ${LIFECYCLE}`,
    access: 'caller',
    durableClient: false,
    responses: { '200': { description: 'The request', schema: 'LeaseRequest' }, ...problems(401, 403, 404) },
    handler: getRequestHttp,
  }),
  defineOperation({
    operationId: 'revealCredential',
    method: 'POST',
    route: 'requests/{id}/credential',
    tag: 'requests',
    summary: "Reveal the lease's credential (the requester, while active; audited; never cached)",
    access: 'caller',
    durableClient: false,
    description:
      "A target whose stepUp names an authenticationContext asks the requester's token for it (401 claims challenge), as submitting does.",
    responses: {
      '200': { description: 'The credential', schema: 'Credential' },
      ...problems(401, 403, 404, 409),
      ...STEP_UP_UNAUTHORIZED,
    },
    handler: revealCredentialHttp,
  }),
  defineOperation({
    operationId: 'extendRequest',
    method: 'POST',
    route: 'requests/{id}/extend',
    tag: 'requests',
    summary: 'Extend an active lease by a duration (the requester or an admin)',
    description:
      "The duration is added to the current expiry; the lease's total length from activation may not exceed the policy's maximum (the target's, or a matching rule's tighter cap): " +
      "a 400 names the cap. Access is never dropped: the orchestration moves the expiry (and the credential's) and answers nothing more; GET the request for the new `expiresAt`.",
    access: 'caller',
    durableClient: true,
    requestBody: 'ExtendBody',
    responses: {
      '202': { description: 'Extension sent', schema: 'ExtendedRequest' },
      ...problems(400, 401, 403, 404, 409, 415),
    },
    handler: extendRequestHttp,
  }),
  defineOperation({
    operationId: 'revokeRequest',
    method: 'POST',
    route: 'requests/{id}/revoke',
    tag: 'requests',
    summary: 'End the lease now, or withdraw a request still waiting for approval (the requester or an admin)',
    description:
      'The reason is recorded on the request (`revokeReason`) and who revoked as `revokedBy` (UPN). The answer is the request once the orchestration has taken the revocation up ' +
      '(`revoking`, or `ended` with endReason revoked or withdrawn), or as it stands after 5 s (a request still provisioning is revoked when its provisioning step returns, at once while that waits for the write limit of Microsoft Graph); follow Location to `ended`. ' +
      'A request that has already ended is a 409.',
    access: 'caller',
    durableClient: true,
    requestBody: 'RevokeRequestBody',
    requestBodyRequired: false,
    responses: {
      '202': { description: 'Revocation taken up', schema: 'LeaseRequest', headers: ['Location'] },
      ...problems(400, 401, 403, 404, 409),
    },
    handler: revokeRequestHttp,
  }),
];
