import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Caller } from '../domain/caller';
import { durationMs, durationSchema } from '../domain/duration';
import { NotFoundError, ValidationError, type FieldProblem } from '../domain/errors';
import { integrationViewSchema, type IntegrationView } from '../domain/integration';
import { psaMappingSchema, type PsaMapping } from '../domain/psaMapping';
import type { AppDeps } from './deps';
import type { Integration, Versioned } from './ports';
import { requireAdmin } from './authorization';
import { auditChange, checkPrecondition, conditionally, type Precondition } from './config/adminChange';
import { integrationSecretCache } from './integrationSecrets';
import { patchWriteBackBodySchema, storeWriteBack, type StoredWriteBack } from './psaWriteBack';
import { connectorOf, type CreateIntegrationBody } from './ticketing';
import { integrationNameSchema, type ConnectorOptions } from './ticketing/connector';

/** Where the API table (src/http/admin/operations.ts) has imported it from: the body is each connector's. */
export { createIntegrationBodySchema, type CreateIntegrationBody } from './ticketing';

/** The secret shown in the creation answer only: HMAC keys are 256 random bits, as is the HaloPSA password. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** An overlap window may not outlast a week: long enough to reconfigure a PSA, short enough to end. */
const MAX_SECRET_OVERLAP_MS = 7 * 24 * 3600_000;

export const patchIntegrationBodySchema = z
  .strictObject({
    name: integrationNameSchema.optional(),
    enabled: z
      .boolean()
      .optional()
      .describe('false: every delivery is refused (404) and audited until it is enabled again'),
    mapping: psaMappingSchema.optional().describe('PSA kinds: the new mapping, replacing the old one as a whole'),
    rotateSecret: z
      .strictObject({
        overlap: durationSchema
          .refine((d) => durationMs(d) <= MAX_SECRET_OVERLAP_MS, { message: 'must be at most P7D' })
          .optional()
          .describe(
            'How long the replaced secret keeps authenticating deliveries, while the sender is switched over; without it, it stops at once',
          ),
      })
      .optional()
      .describe('A new secret (shown in this answer only); ConnectWise: a new callback URL secret'),
    writeBack: patchWriteBackBodySchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type PatchIntegrationBody = z.infer<typeof patchIntegrationBodySchema>;

/**
 * Public view: the fields every kind has, then what the kind's connector shows of its settings. The
 * secret's name is an internal detail, the secret itself never leaves Key Vault.
 */
export function integrationView(integration: Integration): IntegrationView {
  const view = integrationViewSchema.safeParse({
    integrationId: integration.integrationId,
    name: integration.name,
    kind: integration.kind,
    enabled: integration.enabled,
    createdAt: integration.createdAt,
    createdBy: integration.createdBy,
    ...(integration.updatedAt !== undefined ? { updatedAt: integration.updatedAt } : {}),
    ...(integration.previousSecret !== undefined
      ? { previousSecretValidUntil: integration.previousSecret.validUntil }
      : {}),
    ...connectorOf(integration.kind).view(integration),
    ...('writeBack' in integration && integration.writeBack !== undefined ? { writeBack: integration.writeBack } : {}),
    webhookPath: `/api/webhooks/${integration.integrationId}`,
  });
  // Checked strictly: a connector that shows more than the view has (a secret's name) is our bug, a
  // 500 (not the caller's 400 a ZodError would become), and shows nothing. Zod names keys, not values.
  if (!view.success)
    throw new Error(`the ${integration.kind} connector's view is not an integration view`, { cause: view.error });
  return view.data;
}

/** What authenticates deliveries, in the words of the integration's kind; shown once (creation, rotation). */
function shownSecret(integration: Integration, secret: string): Record<string, unknown> {
  return connectorOf(integration.kind).shownSecret(integration, secret);
}

export type IntegrationOptions = ConnectorOptions;

/**
 * A ticketing integration and what authenticates its deliveries, shown once in this answer:
 * generic and Autotask get an HMAC signing secret (Autotask's webhook SecretKey), HaloPSA a Basic
 * password, ConnectWise a secret for its callback URL (its signatures come from keys any company
 * on the same ConnectWise cloud can have, so they prove no sender); all are generated here and kept
 * in Key Vault.
 */
export async function createIntegration(
  deps: AppDeps,
  caller: Caller,
  body: CreateIntegrationBody,
  options: IntegrationOptions,
) {
  requireAdmin(caller);
  const { name, ...withWriteBack } = body;
  // The write-back credentials never reach the row: they go to Key Vault (storeWriteBack).
  const { writeBack: writeBackBody, ...settings } = { writeBack: undefined, ...withWriteBack };
  const connector = connectorOf(settings.kind);
  const problems = connector.settingsProblems?.(settings, options) ?? [];
  if (problems.length > 0) throw new ValidationError(problems);
  if ('mapping' in settings) await requireConnectedTenants(deps, settings.mapping);
  const integrationId = randomUUID();
  const writeBack: StoredWriteBack | null =
    writeBackBody === undefined
      ? null
      : await storeWriteBack(deps, settings.kind, integrationId, writeBackBody, options);
  const secret = newSecret();
  const secretName = await deps.vault.putIntegrationSecret(integrationId, secret);
  const integration: Integration = {
    integrationId,
    name,
    enabled: true,
    createdAt: deps.clock.now().toISOString(),
    createdBy: caller.userPrincipalName,
    secretName,
    ...settings,
    ...(writeBack ?? {}),
  };
  const created = await deps.integrations.create(integration);
  await auditChange(deps, caller, {
    action: 'integration.created',
    before: null,
    after: integrationView(integration),
    details: { integrationId, name, kind: integration.kind },
  });
  return { integration: { ...integrationView(integration), ...shownSecret(integration, secret) }, etag: created.etag };
}

/** A mapping may only send requests to tenants that are connected (a typo would otherwise surface per ticket). */
async function requireConnectedTenants(deps: AppDeps, mapping: PsaMapping, field = 'mapping'): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const [company, tenantId] of Object.entries(mapping.tenants)) {
    if ((await deps.config.getTenant(tenantId)) === null)
      problems.push({ field: `${field}.tenants.${company}`, message: `tenant ${tenantId} is not connected` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
}

export async function listIntegrations(deps: AppDeps, caller: Caller) {
  requireAdmin(caller);
  return (await deps.integrations.list()).map(integrationView);
}

async function storedIntegration(deps: AppDeps, integrationId: string): Promise<Versioned<Integration>> {
  const stored = await deps.integrations.get(integrationId);
  if (stored === null || stored.value.deletedAt !== undefined)
    throw new NotFoundError(`integration ${integrationId} does not exist`);
  return stored;
}

export async function getIntegration(
  deps: AppDeps,
  caller: Caller,
  integrationId: string,
): Promise<{ integration: IntegrationView; etag: string }> {
  requireAdmin(caller);
  const stored = await storedIntegration(deps, integrationId);
  return { integration: integrationView(stored.value), etag: stored.etag };
}

/**
 * Renames, disables or enables an integration, replaces its mapping, or rotates its secret. A
 * rotation writes the new secret under a new Key Vault name and shows it in this answer only; the
 * replaced one keeps authenticating deliveries until the end of `overlap` (none: it stops at once
 * and is deleted). A secret an earlier rotation left in overlap is deleted now.
 */
export async function patchIntegration(
  deps: AppDeps,
  caller: Caller,
  integrationId: string,
  body: PatchIntegrationBody,
  precondition: Precondition,
  options: IntegrationOptions = { localDevelopment: false },
) {
  requireAdmin(caller);
  const stored = await storedIntegration(deps, integrationId);
  const etag = checkPrecondition(stored, precondition, `integration ${integrationId}`);
  const before = stored.value;
  if (body.mapping !== undefined) {
    if (!('mapping' in before))
      throw new ValidationError([
        {
          field: 'mapping',
          message: `${before.kind} integrations have no mapping: the event names tenant, target and technician`,
        },
      ]);
    await requireConnectedTenants(deps, body.mapping);
  }
  const retired: string[] = [];
  let writeBack: Partial<StoredWriteBack> | undefined;
  if (body.writeBack === null) {
    writeBack = {};
    if (before.writeBackSecretName !== undefined) retired.push(before.writeBackSecretName);
  } else if (body.writeBack !== undefined) {
    const stored = await storeWriteBack(deps, before.kind, integrationId, body.writeBack, {
      ...options,
      keptSecretName: before.writeBackSecretName,
    });
    writeBack = stored;
    if (before.writeBackSecretName !== undefined && before.writeBackSecretName !== stored.writeBackSecretName)
      retired.push(before.writeBackSecretName);
  }
  const now = deps.clock.now();
  let next: Integration = {
    ...before,
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.mapping !== undefined && 'mapping' in before ? { mapping: body.mapping } : {}),
    updatedAt: now.toISOString(),
  };
  if (writeBack !== undefined) {
    const { writeBack: _old, writeBackSecretName: _oldName, ...rest } = { writeBack: undefined, ...next };
    next = { ...rest, ...writeBack };
  }
  let shown: Record<string, unknown> = {};
  if (body.rotateSecret !== undefined) {
    const secret = newSecret();
    const secretName = await deps.vault.putIntegrationSecret(integrationId, secret, {
      version: randomBytes(6).toString('hex'),
    });
    const { previousSecret: _earlier, ...rest } = next;
    if (before.previousSecret !== undefined) retired.push(before.previousSecret.secretName);
    const overlapMs = body.rotateSecret.overlap === undefined ? 0 : durationMs(body.rotateSecret.overlap);
    const replaced = before.secretName;
    if (replaced !== undefined && overlapMs > 0)
      next = {
        ...rest,
        secretName,
        previousSecret: { secretName: replaced, validUntil: new Date(now.getTime() + overlapMs).toISOString() },
      };
    else {
      next = { ...rest, secretName };
      if (replaced !== undefined) retired.push(replaced);
    }
    shown = shownSecret(next, secret);
  }
  let replaced: Versioned<Integration>;
  try {
    replaced = await conditionally(precondition, `integration ${integrationId}`, () =>
      deps.integrations.replace(next, etag),
    );
  } catch (error) {
    // The row was not changed: the new secret is not referenced anywhere; remove it.
    const fresh = next.secretName;
    if (body.rotateSecret !== undefined && fresh !== undefined)
      await deps.vault.deleteIntegrationSecret(fresh).catch(() => undefined);
    const freshWriteBack = writeBack?.writeBackSecretName;
    if (freshWriteBack !== undefined && freshWriteBack !== before.writeBackSecretName)
      await deps.vault.deleteIntegrationSecret(freshWriteBack).catch(() => undefined);
    throw error;
  }
  await deleteSecrets(deps, retired);
  await auditChange(deps, caller, {
    action: 'integration.updated',
    before: integrationView(before),
    after: integrationView(next),
    details: {
      integrationId,
      secretRotated: body.rotateSecret !== undefined,
      ...(body.writeBack !== undefined
        ? {
            writeBack: body.writeBack === null ? 'off' : 'configured',
            writeBackCredentialsReplaced: body.writeBack?.credentials !== undefined,
          }
        : {}),
      ...(body.rotateSecret?.overlap !== undefined ? { overlap: body.rotateSecret.overlap } : {}),
    },
  });
  return { integration: { ...integrationView(replaced.value), ...shown }, etag: replaced.etag };
}

/** Secrets no longer accepted leave Key Vault, and this process's cache, at once. */
async function deleteSecrets(deps: AppDeps, secretNames: readonly string[]): Promise<void> {
  for (const name of secretNames) {
    integrationSecretCache.drop(name);
    await deps.vault.deleteIntegrationSecret(name);
  }
}

/**
 * Deletes an integration: its secrets leave Key Vault at once, and the row stays as a tombstone so
 * that deliveries still sent to it are refused (404) and audited rather than looking like noise.
 */
export async function deleteIntegration(
  deps: AppDeps,
  caller: Caller,
  integrationId: string,
  precondition: Precondition,
): Promise<void> {
  requireAdmin(caller);
  const stored = await storedIntegration(deps, integrationId);
  const etag = checkPrecondition(stored, precondition, `integration ${integrationId}`);
  const before = stored.value;
  const names = [before.secretName, before.previousSecret?.secretName, before.writeBackSecretName].filter(
    (n): n is string => n !== undefined,
  );
  const { previousSecret: _previous, ...rest } = before;
  const tombstone = { ...rest, enabled: false, deletedAt: deps.clock.now().toISOString() } as Integration;
  await conditionally(precondition, `integration ${integrationId}`, () => deps.integrations.replace(tombstone, etag));
  await deleteSecrets(deps, names);
  await auditChange(deps, caller, {
    action: 'integration.deleted',
    before: integrationView(before),
    after: null,
    details: { integrationId },
  });
}
