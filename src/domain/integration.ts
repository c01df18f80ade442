import { z } from 'zod';
import { psaMappingSchema } from './psaMapping';
import { psaWriteBackSettingsSchema } from './psaWriteBack';

/**
 * A ticketing integration: the generic signed event, or a PSA's native webhooks with the mapping
 * from its tickets to access requests (src/app/ticketing, one connector per kind). This schema is
 * the one definition: table rows are read with it, the type is inferred from it, and the API view
 * is what each connector shows of it.
 *
 * `secretName` names the Key Vault secret that authenticates deliveries (the generic and Autotask
 * HMAC keys, HaloPSA's Basic password, ConnectWise's callback URL secret); the secret itself is
 * never stored here. ConnectWise rows made before the callback URL secret existed have none: such
 * an integration refuses callbacks until its secret is rotated. Rows stay as written: fields are
 * only ever added, optional, so older rows still read.
 */
const common = {
  integrationId: z.uuid(),
  name: z.string().min(1).max(128),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime().optional(),
  /** Deleted by an admin: the row stays as a tombstone so late deliveries are refused and audited. */
  deletedAt: z.iso.datetime().optional(),
  /** The secret replaced by the last rotation, still accepted until `validUntil` (an overlap window). */
  previousSecret: z.strictObject({ secretName: z.string().min(1), validUntil: z.iso.datetime() }).optional(),
  /** PSA kinds with write-back: the Key Vault secret holding the PSA's API credentials (JSON). */
  writeBackSecretName: z.string().min(1).optional(),
};
const secretName = z.string().min(1);

const mapping = psaMappingSchema.describe('PSA kinds: how a ticket becomes an access request (docs/ticketing.md)');
const writeBack = psaWriteBackSettingsSchema
  .optional()
  .describe(
    "PSA kinds: what is written on the request's ticket as its lease moves (README, PSA write-back); absent: nothing",
  );

const genericRow = z.strictObject({ ...common, kind: z.literal('generic'), secretName });
const autotaskRow = z.strictObject({ ...common, kind: z.literal('autotask'), secretName, mapping, writeBack });
const halopsaRow = z.strictObject({
  ...common,
  kind: z.literal('halopsa'),
  secretName,
  basicUsername: z.string().min(1).describe('The Basic authentication username the webhook sends'),
  mapping,
  writeBack,
});
const connectwiseRow = z.strictObject({
  ...common,
  kind: z.literal('connectwise'),
  secretName: secretName.optional(),
  companyId: z.string().min(1).describe('The PSA company whose callbacks are accepted'),
  callbackKeyOrigin: z.string().min(1).describe('The PSA site signing keys are fetched from'),
  mapping,
  writeBack,
});

/** Every kind's row: a kind is one row schema above and one entry here. */
const ROWS = [genericRow, autotaskRow, halopsaRow, connectwiseRow] as const;

export const integrationSchema = z.discriminatedUnion('kind', ROWS);
export type Integration = z.infer<typeof integrationSchema>;
export type IntegrationKind = Integration['kind'];
export type IntegrationOf<K extends IntegrationKind> = Extract<Integration, { readonly kind: K }>;

/** The fields every integration has, whatever its kind. */
type CommonField = keyof typeof common;

/**
 * What a kind adds to the common fields, as an admin gives it on creation (with `kind`): the
 * secret is not among it (the service generates it).
 */
export type IntegrationSettingsOf<K extends IntegrationKind> = K extends IntegrationKind
  ? Omit<IntegrationOf<K>, CommonField | 'secretName' | 'writeBack'>
  : never;

/** Never shown: which Key Vault secrets authenticate, and the tombstone mark (deleted ones are not shown). */
const HIDDEN = { secretName: true, previousSecret: true, deletedAt: true, writeBackSecretName: true } as const;
const VIEW_FIELDS = {
  previousSecretValidUntil: z.iso
    .datetime()
    .optional()
    .describe('After a rotation with an overlap: until when the replaced secret is still accepted'),
  webhookPath: z
    .string()
    .describe('Where the ticketing system POSTs its events (ConnectWise: with the secret, see callbackPath)'),
};

type ViewOfRow<R> =
  R extends z.ZodObject<infer S>
    ? z.ZodObject<Omit<S, keyof typeof HIDDEN> & typeof VIEW_FIELDS, z.core.$strict>
    : never;
type ViewsOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: ViewOfRow<T[I]> };

/** Each row's view, in order (typed per position, which Array.map cannot say). */
function viewsOf<T extends readonly z.ZodObject[]>(rows: T): ViewsOf<T> {
  return rows.map((row) => row.omit(HIDDEN).extend(VIEW_FIELDS)) as ViewsOf<T>;
}

/** What the API shows of an integration: the same fields as its row, but the secrets' names, and where it posts. */
export const integrationViewSchema = z.discriminatedUnion('kind', viewsOf(ROWS));
export type IntegrationView = z.infer<typeof integrationViewSchema>;
