import * as df from 'durable-functions';
import { expireApproval, recordDecision, withdrawRequest, type DecisionEvent } from '../../src/app/approvals';
import { extendLease, type ExtendEvent } from '../../src/app/extend';
import { notifyLease } from '../../src/app/notifications';
import type { NotificationKind } from '../../src/app/ports';
import { provisionAccess } from '../../src/app/provisionAccess';
import {
  recordRevocationFailure,
  revokeAccess,
  type RevocationFailure,
  type RevokeAccessInput,
} from '../../src/app/revokeAccess';
import { getServices } from '../../src/composition';

/** The lease's activities: thin registrations over the use cases. Inputs and results hold no secret. */
export async function provisionAccessActivity(requestId: string) {
  return provisionAccess(getServices().deps, requestId);
}

export async function revokeAccessActivity(input: RevokeAccessInput) {
  return revokeAccess(getServices().deps, input);
}

export async function recordRevocationFailureActivity(input: RevocationFailure) {
  return recordRevocationFailure(getServices().deps, input);
}

export async function recordDecisionActivity(input: DecisionEvent & { requestId: string }) {
  return recordDecision(getServices().deps, input);
}

export async function expireApprovalActivity(requestId: string) {
  return expireApproval(getServices().deps, requestId);
}

export async function withdrawRequestActivity(input: { requestId: string; by: string }) {
  return withdrawRequest(getServices().deps, input);
}

export async function extendLeaseActivity(input: ExtendEvent & { requestId: string }) {
  return extendLease(getServices().deps, input);
}

export async function notifyLeaseActivity(input: { requestId: string; kind: NotificationKind }) {
  return notifyLease(getServices().deps, input);
}

df.app.activity('provisionAccess', { handler: provisionAccessActivity });
df.app.activity('revokeAccess', { handler: revokeAccessActivity });
df.app.activity('recordRevocationFailure', { handler: recordRevocationFailureActivity });
df.app.activity('recordDecision', { handler: recordDecisionActivity });
df.app.activity('expireApproval', { handler: expireApprovalActivity });
df.app.activity('withdrawRequest', { handler: withdrawRequestActivity });
df.app.activity('extendLease', { handler: extendLeaseActivity });
df.app.activity('notifyLease', { handler: notifyLeaseActivity });
