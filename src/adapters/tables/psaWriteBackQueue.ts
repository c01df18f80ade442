import { odata } from '@azure/data-tables';
import { z } from 'zod';
import { AlreadyExistsError, type PsaWriteBackJob, type PsaWriteBackQueue, type Versioned } from '../../app/ports';
import { writeBackEventSchema } from '../../domain/psaWriteBack';
import { DocumentTable } from './documentTable';
import type { TableSet } from './tableSet';

const jobSchema = z.strictObject({
  jobId: z.string().min(1),
  requestId: z.string().min(1),
  integrationId: z.string().min(1),
  event: writeBackEventSchema,
  ticketId: z.string().min(1),
  title: z.string(),
  text: z.string(),
  status: z.string().nullable(),
  timeEntry: z
    .strictObject({ start: z.iso.datetime(), end: z.iso.datetime(), hours: z.number().positive(), notes: z.string() })
    .nullable()
    .optional(),
  createdAt: z.iso.datetime(),
  attempts: z.number().int().min(0),
  nextAttemptAt: z.iso.datetime(),
  lastError: z.string().nullable(),
});

const PARTITION = 'jobs';

/** Row keys may not hold '/', '#', '?' or ':' safely everywhere: the job id is encoded. */
function rowKeyOf(jobId: string): string {
  return Buffer.from(jobId, 'utf8').toString('base64url');
}

/**
 * PSA write-back jobs, one row each (partition `jobs`), with `nextAttemptAt` and `requestId` as
 * columns so the due ones and a request's are found by a filter. ISO 8601 UTC times compare as text.
 */
export class TablePsaWriteBackQueue implements PsaWriteBackQueue {
  private readonly rows: DocumentTable<typeof jobSchema>;

  constructor(tables: TableSet) {
    this.rows = new DocumentTable(tables.table('PsaWriteBacks'), jobSchema, 'PSA write-back job');
  }

  private keysOf(job: PsaWriteBackJob) {
    return {
      partitionKey: PARTITION,
      rowKey: rowKeyOf(job.jobId),
      columns: { nextAttemptAt: job.nextAttemptAt, requestId: job.requestId },
    };
  }

  async enqueue(job: PsaWriteBackJob): Promise<void> {
    try {
      await this.rows.create(this.keysOf(job), job);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  }

  async listDue(now: Date, limit: number): Promise<Versioned<PsaWriteBackJob>[]> {
    const due = await this.rows.list(odata`PartitionKey eq ${PARTITION} and nextAttemptAt le ${now.toISOString()}`);
    due.sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.createdAt.localeCompare(b.createdAt));
    const read = await Promise.all(due.slice(0, limit).map((job) => this.rows.get(PARTITION, rowKeyOf(job.jobId))));
    return read.filter((job): job is Versioned<PsaWriteBackJob> => job !== null);
  }

  listOfRequest(requestId: string): Promise<PsaWriteBackJob[]> {
    return this.rows.list(odata`PartitionKey eq ${PARTITION} and requestId eq ${requestId}`);
  }

  replace(job: PsaWriteBackJob, etag: string): Promise<Versioned<PsaWriteBackJob>> {
    return this.rows.replace(this.keysOf(job), job, etag);
  }

  remove(jobId: string): Promise<void> {
    return this.rows.delete(PARTITION, rowKeyOf(jobId));
  }
}
