import { ConflictError } from '../../domain/errors';
import type { RevokeCause } from '../../domain/request';

/** Orchestration input: ids and non-secret settings only (it is persisted in the task hub). */
export interface LeaseOrchestrationInput {
  readonly requestId: string;
  /** How long to wait between revocation attempts while revocation keeps failing. */
  readonly revocationRetryIntervalMs: number;
  /** First wait before an activity is retried (absent in inputs of older runs: 2 s). */
  readonly activityRetryFirstIntervalMs?: number;
  /** Set when the request waits for approval: the deadline of the decision (ISO 8601). */
  readonly approvalDeadline?: string;
  /** Scheduled access: provisioning waits for this time (ISO 8601), after the approval if one is needed. */
  readonly startAt?: string;
  /** false: no notification channel is configured, so the orchestration skips the notify activity. */
  readonly notify?: boolean;
  /** How long before the expiry "ending soon" goes out (absent in inputs of older runs: 10 minutes). */
  readonly endingSoonBeforeMs?: number;
  /** How long provisioning may wait for Graph's write limit before the request fails (absent: 30 minutes). */
  readonly provisioningWriteLimitWaitMs?: number;
  /** Set by continueAsNew when a long revocation retry loop restarts the history. */
  readonly resumeRevocation?: {
    readonly cause: RevokeCause | 'provisionFailed';
    readonly by: string | null;
    readonly failure?: string;
  };
}

export type LeaseEventName = 'revoke' | 'extend' | 'decision';

export interface LeaseOrchestrations {
  /** Starts the lease orchestration for a request; idempotent on the request id. */
  start(input: LeaseOrchestrationInput): Promise<void>;
  /** Raises an event at the request's orchestration; the payload holds ids and times only. */
  raise(requestId: string, event: LeaseEventName, payload: Readonly<Record<string, string | null>>): Promise<void>;
}

/** The lease's orchestration is not running (finished, failed, terminated or missing): nobody hears its events. */
export class OrchestrationNotRunningError extends ConflictError {
  constructor(
    readonly requestId: string,
    readonly event: LeaseEventName,
    readonly orchestration: LeaseOrchestrationState,
  ) {
    super(`the lease of request ${requestId} is not running (${orchestration}) and cannot take '${event}' events`, {
      orchestration,
    });
  }
}

/** Where a lease's orchestration stands, as the reconciler sees it. */
export type LeaseOrchestrationState = 'running' | 'completed' | 'failed' | 'terminated' | 'missing';

/** What the reconciler needs beyond starting and signalling: look, and start again. */
export interface LeaseOrchestrationControl extends LeaseOrchestrations {
  state(requestId: string): Promise<LeaseOrchestrationState>;
  /** Starts a new run under the request id, replacing a finished (failed, terminated) one. */
  restart(input: LeaseOrchestrationInput): Promise<void>;
}
