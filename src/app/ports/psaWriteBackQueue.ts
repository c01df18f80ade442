import type { WriteBackEvent, WriteBackTimeEntry } from '../../domain/psaWriteBack';
import type { Versioned } from './versioned';

/**
 * A note waiting to be written on a PSA ticket. Made when the lease moves (the notifyLease and
 * extendLease activities), written by the psaWriteBack timer, retried with back-off until it is
 * written or given up. The note is composed when the job is made (the facts of that moment), and
 * holds names, ids and times only, never a credential.
 */
export interface PsaWriteBackJob {
  /** `<requestId>:<event>[:<step>]`: the same lease event never makes two jobs. */
  readonly jobId: string;
  readonly requestId: string;
  readonly integrationId: string;
  readonly event: WriteBackEvent;
  readonly ticketId: string;
  readonly title: string;
  readonly text: string;
  /** The ticket status to set with the note (statusOnActivation / statusOnEnd), if any. */
  readonly status: string | null;
  /** The lease's time to enter on the ticket (timeEntryOnEnd, at the end); absent on jobs made before it existed. */
  readonly timeEntry?: WriteBackTimeEntry | null;
  readonly createdAt: string;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  /** Why the last attempt failed (never a credential); null before the first failure. */
  readonly lastError: string | null;
}

export interface PsaWriteBackQueue {
  /** Insert-if-absent by jobId: a repeated lease event (an activity run again) adds nothing. */
  enqueue(job: PsaWriteBackJob): Promise<void>;
  /** Jobs whose next attempt is due by `now`, oldest first, at most `limit`. */
  listDue(now: Date, limit: number): Promise<Versioned<PsaWriteBackJob>[]>;
  /** Every job of a request (waiting ones; written and given-up jobs are removed). */
  listOfRequest(requestId: string): Promise<PsaWriteBackJob[]>;
  /** Replaces a job read at `etag` (ConcurrencyError when another worker took it meanwhile). */
  replace(job: PsaWriteBackJob, etag: string): Promise<Versioned<PsaWriteBackJob>>;
  /** Removes a job; succeeds when it is already gone. */
  remove(jobId: string): Promise<void>;
}
