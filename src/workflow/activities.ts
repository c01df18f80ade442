import type { AppDeps } from '../app/deps';
import { expireApproval, recordDecision, withdrawRequest } from '../app/approvals';
import { extendLease } from '../app/extend';
import { notifyLease } from '../app/notifications';
import { provisionAccess } from '../app/provisionAccess';
import { recordRevocationFailure, revokeAccess } from '../app/revokeAccess';
import { startScheduled } from '../app/startScheduled';

/**
 * The lease's activities: activity name → the use case it runs. The keys are the names the task
 * hub records, and running orchestrations replay by them: never rename one. Inputs and results
 * hold ids and times, never a secret (they are kept in the orchestration history).
 */
const useCases = {
  provisionAccess,
  revokeAccess,
  recordRevocationFailure,
  recordDecision,
  expireApproval,
  withdrawRequest,
  extendLease,
  notifyLease,
  startScheduled,
} satisfies Record<string, (deps: AppDeps, input: never) => Promise<unknown>>;

export type LeaseActivityName = keyof typeof useCases;
export type LeaseActivityInput<N extends LeaseActivityName> = Parameters<(typeof useCases)[N]>[1];
export type LeaseActivityOutput<N extends LeaseActivityName> = Awaited<ReturnType<(typeof useCases)[N]>>;

/** Mapped over the names, so that `leaseActivities[name]` keeps the input and output of that one name. */
type LeaseActivityTable = {
  readonly [N in LeaseActivityName]: (deps: AppDeps, input: LeaseActivityInput<N>) => Promise<LeaseActivityOutput<N>>;
};

export const leaseActivities: LeaseActivityTable = useCases;

export const leaseActivityNames = Object.keys(leaseActivities) as readonly LeaseActivityName[];

/** The activity `name` as the Functions runtime calls it: the input from the history, the deps of this process. */
export function leaseActivityHandler<N extends LeaseActivityName>(
  name: N,
  deps: () => AppDeps,
): (input: LeaseActivityInput<N>) => Promise<LeaseActivityOutput<N>> {
  const run = leaseActivities[name];
  return (input) => run(deps(), input);
}
