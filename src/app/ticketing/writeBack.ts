import type { z } from 'zod';
import {
  psaWriteBackSettingsSchema,
  type PsaWriteBackSettings,
  type WriteBackTimeEntry,
} from '../../domain/psaWriteBack';
import type { Integration } from '../../domain/integration';
import type { PsaHttp, PsaHttpResponse } from '../ports';

/**
 * A PSA connector's write-back: the API credentials it needs (given by an admin, write-only, kept
 * in Key Vault) and how a note (and a status) is written on a ticket through the PSA's own REST
 * API. One module per PSA (connectwiseWriteBack.ts …), hung on its connector.
 */
export interface PsaWriter {
  /** The credentials' fields, as POST/PATCH /integrations take them under writeBack.credentials. */
  readonly credentialsSchema: z.ZodObject;
  /** What is wrong with these settings for this PSA (checked on create and PATCH). */
  settingsProblems?(settings: PsaWriteBackSettings): { field: string; message: string }[];
  /** Writes the note, and sets the status when one is given; throws PsaWriteBackError. */
  write(http: PsaHttp, call: PsaWriteCall): Promise<void>;
}

export interface PsaWriteCall {
  readonly integration: Integration;
  readonly settings: PsaWriteBackSettings;
  /** Parsed with the writer's credentialsSchema. */
  readonly credentials: Readonly<Record<string, string>>;
  readonly ticketId: string;
  readonly note: { readonly title: string; readonly text: string };
  readonly status: string | null;
  /** The lease's time to enter on the ticket (settings.timeEntryOnEnd, when access ends), or null. */
  readonly timeEntry: WriteBackTimeEntry | null;
}

/**
 * A write that failed. `permanent`: retrying cannot help (refused credentials, an unknown ticket, a
 * body the PSA refuses); otherwise (a 5xx, 429, a timeout) the job is tried again later. The
 * message names the PSA's status and what was being done, never a credential.
 */
export class PsaWriteBackError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** A PSA's answer as success or the PsaWriteBackError it means. */
export function requireOk(response: PsaHttpResponse, doing: string): PsaHttpResponse {
  if (response.status >= 200 && response.status < 300) return response;
  const permanent =
    response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  throw new PsaWriteBackError(`${doing}: the PSA answered ${response.status}`, permanent);
}

/** The base of a configured URL, without a trailing slash. */
export function baseOf(url: string): string {
  return url.replace(/\/+$/, '');
}

/** writeBack in POST /integrations: the settings, and the PSA's API credentials (write-only). */
export function writeBackBodySchemaOf(credentialsSchema: z.ZodObject) {
  return psaWriteBackSettingsSchema
    .extend({
      credentials: credentialsSchema.describe(
        "The PSA's API credentials: kept in Key Vault, never shown again (not in answers, tables or logs)",
      ),
    })
    .describe(
      "PSA write-back: an internal note on the request's ticket when access is approved, denied, activated, extended and ended (README, PSA write-back)",
    );
}
