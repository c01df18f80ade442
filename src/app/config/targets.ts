import type { Caller } from '../../domain/caller';
import {
  fieldsNotOfKindProblems,
  targetDurationProblems,
  targetSchema,
  withoutFieldsOfOtherKinds,
  type Target,
  type Tenant,
} from '../../domain/config';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem, fieldProblemsOf } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { AlreadyExistsError, type DirectoryGroup, type Versioned } from '../ports';
import { auditChange, checkPrecondition, conditionally, requireAdmin, type Precondition } from './adminChange';
import { listLiveRequests } from './liveLeases';
import { pruneRules } from './rules';
import { kindOf } from '../targets';
import type { CreateTargetBody, PatchTargetBody } from './schemas';

/**
 * Access targets: what can be requested in a tenant. Roles are checked against the tenant's own
 * role definitions (and stored with their names), groups against the tenant's groups.
 */

async function connectedTenant(deps: AppDeps, tenantId: string): Promise<Tenant> {
  const tenant = await deps.config.getTenant(tenantId);
  if (tenant === null) throw new NotFoundError(`tenant ${tenantId} is not connected`);
  return tenant.value;
}

/**
 * Resolves roles and groups in the tenant's directory. A group must exist, Graph must be able to
 * change its members, and the target's kind must accept it (src/app/targets/). Groups already read
 * (a template found them by name) are not read again.
 */
export async function resolveDirectoryRefs(
  deps: AppDeps,
  tenant: Tenant,
  target: Target,
  groupsRead: ReadonlyMap<string, DirectoryGroup> = new Map(),
): Promise<Target> {
  if (target.roles.length === 0 && target.groups.length === 0) return target;
  const directory = await deps.directories.forTenant(tenant);
  const problems: FieldProblem[] = [];
  let roles = target.roles;
  if (target.roles.length > 0) {
    const definitions = await directory.listRoleDefinitions();
    roles = target.roles.map((role, i) => {
      const definition = definitions.find((d) => d.templateId === role.templateId.toLowerCase());
      if (definition === undefined)
        problems.push({
          field: `roles.${i}.templateId`,
          message: `no directory role with template id ${role.templateId} in tenant ${tenant.tenantId}`,
        });
      else if (!definition.isEnabled)
        problems.push({
          field: `roles.${i}.templateId`,
          message: `the role '${definition.displayName}' is disabled in tenant ${tenant.tenantId}`,
        });
      return {
        templateId: role.templateId.toLowerCase(),
        ...(definition !== undefined ? { displayName: definition.displayName } : {}),
      };
    });
    const seen = new Set<string>();
    roles.forEach((r, i) => {
      if (seen.has(r.templateId)) problems.push({ field: `roles.${i}.templateId`, message: 'is listed twice' });
      seen.add(r.templateId);
    });
  }
  const groups: Target['groups'] = [];
  const seenGroups = new Set<string>();
  for (const [i, ref] of target.groups.entries()) {
    const group = groupsRead.get(ref.id.toLowerCase()) ?? (await directory.getGroup(ref.id));
    if (seenGroups.has(ref.id.toLowerCase())) problems.push({ field: `groups.${i}.id`, message: 'is listed twice' });
    seenGroups.add(ref.id.toLowerCase());
    if (group === null) {
      problems.push({ field: `groups.${i}.id`, message: `no group ${ref.id} in tenant ${tenant.tenantId}` });
      groups.push({ id: ref.id.toLowerCase() });
      continue;
    }
    const unmanaged = unmanagedGroupReason(group);
    if (unmanaged !== null)
      problems.push({ field: `groups.${i}.id`, message: `group '${group.displayName}' (${group.id}) ${unmanaged}` });
    const refused = kindOf(target).groupProblem(group);
    if (refused !== null) problems.push({ field: `groups.${i}.id`, message: refused });
    groups.push({ id: group.id, displayName: group.displayName });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { ...target, roles, groups };
}

/**
 * Graph cannot change the members of some groups (learn.microsoft.com/en-us/graph/api/group-post-members):
 * a lease naming one would fail at every provisioning, so the target is refused up front.
 */
export function unmanagedGroupReason(group: DirectoryGroup): string | null {
  if (group.onPremisesSyncEnabled)
    return 'is synced from on-premises Active Directory: its members are managed there, and Microsoft Graph cannot add or remove them';
  if (group.isDynamic)
    return 'has dynamic membership: its members come from its membership rule, and Microsoft Graph cannot add or remove them';
  if (group.mailEnabled && !group.isMicrosoft365)
    return 'is a mail-enabled security group or distribution list: its members are managed in Exchange, and Microsoft Graph cannot add or remove them';
  return null;
}

/** What the tenant's directory says about the target beyond roles and groups (its kind decides). */
export async function checkWithDirectory(deps: AppDeps, tenant: Tenant, target: Target): Promise<void> {
  const problems = await kindOf(target).directoryProblems(deps, tenant, target);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The target as the API shows it: the row plus what its kind computes from the directory (never stored). */
async function expanded(deps: AppDeps, tenant: Tenant, target: Target): Promise<Target> {
  const kind = kindOf(target);
  return kind.expand === undefined ? target : kind.expand(deps, tenant, target);
}

/**
 * A target as its kind's schema reads it. A field of another kind (credentialType on an elevation
 * target) is named as such before anything else, so the answer says why it does not belong.
 */
export function parsedTarget(value: Record<string, unknown>): Target {
  const foreign = fieldsNotOfKindProblems(value);
  if (foreign.length > 0) throw new ValidationError(foreign);
  const parsed = targetSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(fieldProblemsOf(parsed.error));
  const problems = [...targetDurationProblems(parsed.data), ...kindOf(parsed.data).targetProblems(parsed.data)];
  if (problems.length > 0) throw new ValidationError(problems);
  return parsed.data;
}

export async function createTarget(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  body: CreateTargetBody,
): Promise<Versioned<Target>> {
  requireAdmin(caller);
  const tenant = await connectedTenant(deps, tenantId);
  if ((await deps.config.getTarget(tenant.tenantId, body.targetId)) !== null)
    throw new ConflictError(`target '${body.targetId}' already exists in tenant ${tenant.tenantId}`, {
      targetId: body.targetId,
    });
  const now = deps.clock.now().toISOString();
  const target = await resolveDirectoryRefs(
    deps,
    tenant,
    parsedTarget({ ...body, tenantId: tenant.tenantId, createdAt: now, updatedAt: now }),
  );
  await checkWithDirectory(deps, tenant, target);
  const shown = await expanded(deps, tenant, target);
  let created: Versioned<Target>;
  try {
    created = await deps.config.createTarget(target);
  } catch (error) {
    if (error instanceof AlreadyExistsError)
      throw new ConflictError(`target '${body.targetId}' already exists in tenant ${tenant.tenantId}`, {
        targetId: body.targetId,
      });
    throw error;
  }
  await auditChange(deps, caller, {
    action: 'target.created',
    tenantId: tenant.tenantId,
    targetId: target.targetId,
    before: null,
    after: target, // the row: computed grants can run to hundreds of customers
  });
  return { ...created, value: shown };
}

export async function listTargets(deps: AppDeps, caller: Caller, tenantId: string): Promise<Target[]> {
  requireAdmin(caller);
  const tenant = await connectedTenant(deps, tenantId);
  return (await deps.config.listTargets(tenant.tenantId)).sort((a, b) => a.targetId.localeCompare(b.targetId));
}

export async function getTarget(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  targetId: string,
): Promise<Versioned<Target>> {
  requireAdmin(caller);
  const stored = await deps.config.getTarget(tenantId, targetId);
  if (stored === null) throw new NotFoundError(`target '${targetId}' does not exist in tenant ${tenantId}`);
  return stored;
}

export async function patchTarget(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  targetId: string,
  body: PatchTargetBody,
  precondition: Precondition,
): Promise<Versioned<Target>> {
  const stored = await getTarget(deps, caller, tenantId, targetId);
  const etag = checkPrecondition(stored, precondition, `target '${targetId}'`);
  const tenant = await connectedTenant(deps, tenantId);
  const before = stored.value;
  // A change of kind leaves behind what only the old kind had (an elevation target has no
  // credentialType); what the body sends is still checked against the new kind.
  const kept = body.kind !== undefined ? withoutFieldsOfOtherKinds({ ...before, kind: body.kind }) : before;
  const merged: Record<string, unknown> = { ...kept, updatedAt: deps.clock.now().toISOString() };
  for (const [key, value] of Object.entries(body)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  let next = parsedTarget(merged);
  if (body.roles !== undefined || body.groups !== undefined || body.kind !== undefined)
    next = await resolveDirectoryRefs(deps, tenant, next);
  await checkWithDirectory(deps, tenant, next);
  const shown = await expanded(deps, tenant, next);
  const replaced = await conditionally(precondition, `target '${targetId}'`, () =>
    deps.config.replaceTarget(next, etag),
  );
  await auditChange(deps, caller, { action: 'target.updated', tenantId, targetId, before, after: next });
  return { ...replaced, value: shown };
}

/** Refused while leases of the target are live: revoke them first (their access is the target's roles and groups). */
export async function deleteTarget(
  deps: AppDeps,
  caller: Caller,
  tenantId: string,
  targetId: string,
  precondition: Precondition,
): Promise<{ changedRules: string[] }> {
  const stored = await getTarget(deps, caller, tenantId, targetId);
  checkPrecondition(stored, precondition, `target '${targetId}'`);
  const live = await listLiveRequests(deps, tenantId, targetId);
  if (live.length > 0) {
    throw new ConflictError(
      `target '${targetId}' has ${live.length} live lease(s): ${live.map((r) => r.id).join(', ')}; revoke them first`,
      {
        liveRequests: live.map((r) => ({ id: r.id, status: r.status, requester: r.requester.userPrincipalName })),
      },
    );
  }
  await deps.config.deleteTarget(tenantId, targetId);
  await auditChange(deps, caller, { action: 'target.deleted', tenantId, targetId, before: stored.value, after: null });
  return { changedRules: await pruneRules(deps, caller, { tenantId, targetId }) };
}
