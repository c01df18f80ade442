import { z } from 'zod';
import type { Caller } from '../../domain/caller';
import type { Tenant } from '../../domain/config';
import { NotFoundError } from '../../domain/errors';
import { auditChange, checkPrecondition, conditionally, type Precondition } from '../config/adminChange';
import { requireAdmin } from '../authorization';
import type { AppDeps } from '../deps';
import type { Versioned } from '../ports';

/**
 * A tenant's report settings: the customer contact who gets last month's report by email on the
 * 1st (monthlyReports.ts), and whether they do. Kept on the tenant's row; changed on their own,
 * so an admin turning the email on never rewrites the tenant's connection.
 */
export const reportSettingsSchema = z
  .strictObject({
    reportContact: z.email('an email address such as it-contact@contoso.example').nullable(),
    reportMonthly: z.boolean(),
  })
  .refine((s) => !s.reportMonthly || s.reportContact !== null, {
    message: 'a monthly report needs a reportContact to send it to',
    path: ['reportContact'],
  });
export type ReportSettings = z.infer<typeof reportSettingsSchema>;

function settingsOf(tenant: Tenant): ReportSettings {
  return { reportContact: tenant.reportContact ?? null, reportMonthly: tenant.reportMonthly ?? false };
}

async function storedTenant(deps: AppDeps, tenantId: string): Promise<Versioned<Tenant>> {
  const stored = await deps.config.getTenant(tenantId);
  if (stored === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  return stored;
}

export async function getReportSettings(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
): Promise<Versioned<ReportSettings>> {
  requireAdmin(caller);
  const stored = await storedTenant(deps, tenantId);
  return { value: settingsOf(stored.value), etag: stored.etag };
}

/** Replaces the settings (audited as tenant.report_settings_updated); the same settings again change nothing. */
export async function putReportSettings(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  settings: ReportSettings,
  precondition: Precondition,
): Promise<Versioned<ReportSettings>> {
  requireAdmin(caller);
  const stored = await storedTenant(deps, tenantId);
  const etag = checkPrecondition(stored, precondition, `tenant ${tenantId}`);
  const before = settingsOf(stored.value);
  if (before.reportContact === settings.reportContact && before.reportMonthly === settings.reportMonthly)
    return { value: before, etag: stored.etag };
  const { reportContact: _contact, reportMonthly: _monthly, ...rest } = stored.value;
  const next: Tenant = {
    ...rest,
    ...(settings.reportContact === null ? {} : { reportContact: settings.reportContact }),
    reportMonthly: settings.reportMonthly,
    updatedAt: deps.clock.now().toISOString(),
  };
  const replaced = await conditionally(precondition, `tenant ${tenantId}`, () => deps.config.replaceTenant(next, etag));
  await auditChange(deps, caller, {
    action: 'tenant.report_settings_updated',
    tenantId,
    before,
    after: settings,
  });
  return { value: settingsOf(replaced.value), etag: replaced.etag };
}
