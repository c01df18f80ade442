import {
  ConcurrencyError,
  type PsaHttp,
  type PsaHttpRequest,
  type PsaHttpResponse,
  type PsaWriteBackJob,
  type PsaWriteBackQueue,
  type Versioned,
} from '../../../src/app/ports';

/** PSA write-back jobs in memory, with ETags as counters. */
export class InMemoryPsaWriteBackQueue implements PsaWriteBackQueue {
  readonly jobs = new Map<string, { job: PsaWriteBackJob; etag: number }>();

  enqueue(job: PsaWriteBackJob): Promise<void> {
    if (!this.jobs.has(job.jobId)) this.jobs.set(job.jobId, { job: structuredClone(job), etag: 1 });
    return Promise.resolve();
  }

  listDue(now: Date, limit: number): Promise<Versioned<PsaWriteBackJob>[]> {
    const due = [...this.jobs.values()]
      .filter((j) => j.job.nextAttemptAt <= now.toISOString())
      .sort((a, b) => a.job.nextAttemptAt.localeCompare(b.job.nextAttemptAt))
      .slice(0, limit);
    return Promise.resolve(due.map((j) => ({ value: structuredClone(j.job), etag: String(j.etag) })));
  }

  listOfRequest(requestId: string): Promise<PsaWriteBackJob[]> {
    return Promise.resolve([...this.jobs.values()].filter((j) => j.job.requestId === requestId).map((j) => j.job));
  }

  replace(job: PsaWriteBackJob, etag: string): Promise<Versioned<PsaWriteBackJob>> {
    const existing = this.jobs.get(job.jobId);
    if (existing === undefined || String(existing.etag) !== etag)
      return Promise.reject(new ConcurrencyError(`job ${job.jobId} changed`));
    const next = { job: structuredClone(job), etag: existing.etag + 1 };
    this.jobs.set(job.jobId, next);
    return Promise.resolve({ value: structuredClone(job), etag: String(next.etag) });
  }

  remove(jobId: string): Promise<void> {
    this.jobs.delete(jobId);
    return Promise.resolve();
  }
}

/** A PSA that answers what the test scripts (200 with an empty JSON object by default) and records every call. */
export class ScriptedPsaHttp implements PsaHttp {
  readonly calls: PsaHttpRequest[] = [];
  answer: (request: PsaHttpRequest) => PsaHttpResponse = () => ({ status: 200, body: '{}' });

  send(request: PsaHttpRequest): Promise<PsaHttpResponse> {
    this.calls.push(request);
    return Promise.resolve(this.answer(request));
  }
}
