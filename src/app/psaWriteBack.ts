import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SYSTEM_ACTOR } from '../domain/audit';
import { messageOf, ValidationError, type FieldProblem } from '../domain/errors';
import type { IntegrationKind } from '../domain/integration';
import { isPrivateHost } from '../domain/networkAddress';
import {
  leaseTimeEntry,
  psaTicketIdOf,
  psaWriteBackSettingsSchema,
  writeBackNote,
  type PsaWriteBackSettings,
  type WriteBackEvent,
} from '../domain/psaWriteBack';
import type { LeaseRequest } from '../domain/request';
import { leaseStepAuditId, recordAudit } from './audit';
import type { AppDeps } from './deps';
import { ConcurrencyError, type Integration, type PsaWriteBackJob, type Versioned } from './ports';
import { connectorOf } from './ticketing';
import type { ConnectorOptions } from './ticketing/connector';
import { PsaWriteBackError } from './ticketing/writeBack';

/**
 * PSA write-back (README, "PSA write-back"): when a lease that a PSA ticket asked for moves, an
 * internal note goes on that ticket. The lease never waits for it: the activity that sees the
 * event only queues a job (a table row), and the psaWriteBack timer writes queued jobs, retrying
 * with back-off while the PSA fails, so a PSA that is down or refuses changes nothing for the
 * lease. Which ticket: only the one whose delivery made the request (`origin`), through the
 * integration that received it; a ticket typed by a requester is never written to (it is not
 * verified: it could name another customer's ticket).
 */

/** First retry after this long, doubling per failure up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 10 * 60_000;
/** After this many failed attempts (about half an hour of retrying) the job is given up, audited and logged. */
export const MAX_ATTEMPTS = 10;
/** An attempt holds its job this long: another run (a second instance) leaves it alone meanwhile. */
const ATTEMPT_HOLD_MS = 60_000;
const JOBS_PER_RUN = 20;

/** writeBack in PATCH /integrations/{id}: replaces the settings as a whole; null turns write-back off. */
export const patchWriteBackBodySchema = psaWriteBackSettingsSchema
  .extend({
    credentials: z
      .record(z.string(), z.string())
      .optional()
      .describe("The PSA's API credentials (the kind's fields, as at creation); absent: the stored ones are kept"),
  })
  .nullable()
  .describe('PSA write-back: the new settings, replacing the old ones; null turns it off and deletes its credentials');
export type PatchWriteBackBody = z.infer<typeof patchWriteBackBodySchema>;

export interface WriteBackBody extends PsaWriteBackSettings {
  /** Checked here with the kind's credentials schema (PATCH takes any object). */
  readonly credentials?: Readonly<Record<string, unknown>> | undefined;
}

/** What the row gets: the settings, and the Key Vault name of the credentials. */
export interface StoredWriteBack {
  readonly writeBack: PsaWriteBackSettings;
  readonly writeBackSecretName: string;
}

/**
 * Checks write-back settings for an integration of `kind` and keeps its credentials in Key Vault
 * (JSON, under a new name each time). `keptSecretName`: PATCH without credentials keeps these.
 */
export async function storeWriteBack(
  deps: Pick<AppDeps, 'vault'>,
  kind: IntegrationKind,
  integrationId: string,
  body: WriteBackBody,
  options: ConnectorOptions & { readonly keptSecretName?: string | undefined },
): Promise<StoredWriteBack> {
  const writer = connectorOf(kind).writeBack;
  if (writer === undefined)
    throw new ValidationError([
      { field: 'writeBack', message: `${kind} integrations have no ticket to write back to` },
    ]);
  const { credentials, ...settings } = body;
  const problems: FieldProblem[] = [...(writer.settingsProblems?.(settings) ?? [])];
  for (const field of ['apiUrl', 'authUrl'] as const) {
    const url = settings[field];
    if (url !== undefined && !options.localDevelopment && isPrivateHost(new URL(url).hostname))
      problems.push({
        field: `writeBack.${field}`,
        message: "must not be a loopback or private address: the PSA's API is on the internet",
      });
  }
  let parsedCredentials: Record<string, unknown> | null = null;
  if (credentials !== undefined) {
    const parsed = writer.credentialsSchema.safeParse(credentials);
    if (parsed.success) parsedCredentials = parsed.data;
    else
      problems.push(
        ...parsed.error.issues.map((issue) => ({
          field: ['writeBack', 'credentials', ...issue.path.map(String)].join('.'),
          // Zod names the field and what is wrong, never the value given.
          message: issue.message,
        })),
      );
  } else if (options.keptSecretName === undefined) {
    problems.push({ field: 'writeBack.credentials', message: `are required: the ${kind} API credentials` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const writeBack = psaWriteBackSettingsSchema.parse(settings);
  if (parsedCredentials === null && options.keptSecretName !== undefined)
    return { writeBack, writeBackSecretName: options.keptSecretName };
  const writeBackSecretName = await deps.vault.putIntegrationSecret(integrationId, JSON.stringify(parsedCredentials), {
    version: `psa${randomBytes(6).toString('hex')}`,
  });
  return { writeBack, writeBackSecretName };
}

/** The facts of a lease event that a note tells, besides the request itself. */
export interface WriteBackOccasion {
  readonly event: WriteBackEvent;
  /** Tells apart events of one kind that repeat (each extension). */
  readonly step?: string;
  readonly by: string;
  readonly until?: string | null;
}

/**
 * Queues a note for the request's ticket when the integration its delivery came through writes
 * back this event. Best effort towards the lease: a failure here is logged, never thrown.
 */
export async function enqueueWriteBack(
  deps: AppDeps,
  request: LeaseRequest,
  occasion: WriteBackOccasion,
): Promise<void> {
  try {
    if (request.origin === undefined) return;
    const stored = await deps.integrations.get(request.origin.integrationId);
    if (stored === null) return;
    const integration = stored.value;
    if (!integration.enabled || integration.deletedAt !== undefined || !('writeBack' in integration)) return;
    const settings = integration.writeBack;
    if (settings === undefined || !settings.events.includes(occasion.event)) return;
    const ticketId = psaTicketIdOf(request.origin.deliveryId, integration.kind);
    if (ticketId === null) return;
    const tenant = await deps.config.getTenant(request.tenantId);
    const note = writeBackNote({
      event: occasion.event,
      by: occasion.by,
      requester: request.requester.userPrincipalName,
      tenant: tenant === null ? request.tenantId : `${tenant.value.displayName} (${request.tenantId})`,
      target: request.targetId,
      from: 'activatedAt' in request ? request.activatedAt : null,
      until: occasion.until !== undefined ? occasion.until : 'expiresAt' in request ? request.expiresAt : null,
      reason: request.status === 'ended' ? request.endReason : null,
      auditLink: auditLinkOf(deps, request.id),
    });
    const status =
      occasion.event === 'activated'
        ? (settings.statusOnActivation ?? null)
        : occasion.event === 'ended' && 'activatedAt' in request && request.activatedAt !== null
          ? (settings.statusOnEnd ?? null)
          : null;
    const now = deps.clock.now().toISOString();
    const timeEntry =
      occasion.event === 'ended' &&
      settings.timeEntryOnEnd !== undefined &&
      request.status === 'ended' &&
      request.activatedAt !== null
        ? leaseTimeEntry(
            request.activatedAt,
            request.endedAt,
            `Just-in-time access of ${request.requester.userPrincipalName} to ${request.targetId} in ${request.tenantId} (${auditLinkOf(deps, request.id)})`,
          )
        : null;
    await deps.psaWriteBacks.enqueue({
      jobId: [request.id, occasion.event, ...(occasion.step !== undefined ? [occasion.step] : [])].join(':'),
      requestId: request.id,
      integrationId: integration.integrationId,
      event: occasion.event,
      ticketId,
      title: note.title,
      text: note.text,
      status,
      timeEntry,
      createdAt: now,
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
    });
  } catch (error) {
    deps.log('warn', 'psa_writeback_failed', {
      requestId: request.id,
      event: occasion.event,
      reason: `could not be queued: ${messageOf(error, 300)}`,
    });
  }
}

function auditLinkOf(deps: AppDeps, requestId: string): string {
  return `${(deps.workflow.publicBaseUrl ?? '').replace(/\/+$/, '')}/audit?requestId=${requestId}`;
}

/**
 * The psaWriteBack timer: writes the jobs that are due, each at most once at a time. A ticket's
 * notes go in the order of their events: a request's jobs are written one after the other, oldest
 * first, and a job waits while an older one of its request is waiting for a retry.
 */
export async function runPsaWriteBacks(deps: AppDeps): Promise<void> {
  const due = await deps.psaWriteBacks.listDue(deps.clock.now(), JOBS_PER_RUN);
  const dueById = new Map(due.map((job) => [job.value.jobId, job]));
  const requestIds = [...new Set(due.map((job) => job.value.requestId))];
  await Promise.all(
    requestIds.map(async (requestId) => {
      const pending = (await deps.psaWriteBacks.listOfRequest(requestId)).sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.jobId.localeCompare(b.jobId),
      );
      for (const job of pending) {
        const stored = dueById.get(job.jobId);
        if (stored === undefined || !(await attemptJob(deps, stored))) return;
      }
    }),
  );
}

/** One attempt at a job; true when it was written (and removed). */
async function attemptJob(deps: AppDeps, stored: Versioned<PsaWriteBackJob>): Promise<boolean> {
  const now = deps.clock.now();
  let held: Versioned<PsaWriteBackJob>;
  try {
    held = await deps.psaWriteBacks.replace(
      { ...stored.value, nextAttemptAt: new Date(now.getTime() + ATTEMPT_HOLD_MS).toISOString() },
      stored.etag,
    );
  } catch (error) {
    if (error instanceof ConcurrencyError) return false;
    throw error;
  }
  const job = held.value;
  try {
    await writeJob(deps, job);
  } catch (error) {
    const permanent = !(error instanceof PsaWriteBackError) || error.permanent;
    const attempts = job.attempts + 1;
    const reason = messageOf(error, 300);
    if (permanent || attempts >= MAX_ATTEMPTS) {
      // Given up: the ticket's next notes need not wait for it.
      await giveUp(deps, job, attempts, reason);
      return true;
    }
    const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    deps.log('warn', 'psa_writeback_failed', { ...jobFields(job), attempts, willRetry: true, reason });
    await deps.psaWriteBacks
      .replace(
        { ...job, attempts, lastError: reason, nextAttemptAt: new Date(now.getTime() + backoff).toISOString() },
        held.etag,
      )
      .catch(() => undefined);
    return false;
  }
  await recordAudit(deps, {
    id: leaseStepAuditId(job.requestId, 'psa.writeback_written', job.jobId),
    actor: SYSTEM_ACTOR,
    action: 'psa.writeback_written',
    request: await requestOf(deps, job),
    details: { ...jobDetails(job), attempts: job.attempts + 1 },
  });
  deps.log('info', 'psa_writeback_written', { ...jobFields(job), attempts: job.attempts + 1 });
  await deps.psaWriteBacks.remove(job.jobId);
  return true;
}

/** Reads the integration and its credentials and writes through the PSA's connector. */
async function writeJob(deps: AppDeps, job: PsaWriteBackJob): Promise<void> {
  const stored = await deps.integrations.get(job.integrationId);
  const integration: Integration | undefined = stored?.value;
  if (integration === undefined || integration.deletedAt !== undefined || !integration.enabled)
    throw new PsaWriteBackError(`integration ${job.integrationId} is deleted or disabled`, true);
  const settings = 'writeBack' in integration ? integration.writeBack : undefined;
  const writer = connectorOf(integration.kind).writeBack;
  if (settings === undefined || integration.writeBackSecretName === undefined || writer === undefined)
    throw new PsaWriteBackError(`integration ${job.integrationId} no longer writes back`, true);
  const secret = await deps.vault.getIntegrationSecret(integration.writeBackSecretName);
  if (secret === null) throw new PsaWriteBackError('the PSA credentials cannot be read from Key Vault', false);
  const credentials = z.record(z.string(), z.string()).parse(JSON.parse(secret));
  await writer.write(deps.psaHttp, {
    integration,
    settings,
    credentials,
    ticketId: job.ticketId,
    note: { title: job.title, text: job.text },
    status: job.status,
    timeEntry: job.timeEntry ?? null,
  });
}

async function giveUp(deps: AppDeps, job: PsaWriteBackJob, attempts: number, reason: string): Promise<void> {
  await recordAudit(deps, {
    id: leaseStepAuditId(job.requestId, 'psa.writeback_failed', job.jobId),
    actor: SYSTEM_ACTOR,
    action: 'psa.writeback_failed',
    outcome: 'failure',
    request: await requestOf(deps, job),
    details: { ...jobDetails(job), attempts, reason },
  });
  deps.log('error', 'psa_writeback_failed', { ...jobFields(job), attempts, willRetry: false, reason });
  await deps.psaWriteBacks.remove(job.jobId);
}

async function requestOf(deps: AppDeps, job: PsaWriteBackJob): Promise<LeaseRequest | undefined> {
  return (await deps.requests.get(job.requestId).catch(() => null))?.value;
}

function jobFields(job: PsaWriteBackJob): Record<string, unknown> {
  return { requestId: job.requestId, integrationId: job.integrationId, leaseEvent: job.event, ticketId: job.ticketId };
}

function jobDetails(job: PsaWriteBackJob): Record<string, string> {
  return { integrationId: job.integrationId, event: job.event, psaTicketId: job.ticketId };
}
