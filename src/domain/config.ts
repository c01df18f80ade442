import { z } from 'zod';
import { durationMs, durationSchema, MAX_LEASE_DURATION } from './duration';
import type { FieldProblem } from './errors';
import { stepUpPolicySchema } from './stepUp';

/** Customer tenants, access targets and entitlement rules: what admins configure. */

export const slugSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'lowercase letters, digits and dashes, 1 to 63 characters, not starting or ending with a dash',
  );

/** A DNS domain name as Entra accepts it for user principal names. */
export const domainNameSchema = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/,
    'a domain name such as contoso.com',
  )
  .transform((d) => d.toLowerCase());

/** A label an admin puts on tenants (e.g. "gold", "region-eu") so one rule can reach all tenants carrying it. */
export const tenantTagSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'lowercase letters, digits and dashes, 1 to 40 characters, not starting or ending with a dash',
  );

export const MAX_TENANT_TAGS = 20;

export const tenantConnectionSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('clientSecret'),
    clientId: z.uuid(),
    /** Name of the Key Vault secret holding the client secret; the secret itself is never stored here. */
    secretName: z.string().min(1),
  }),
  z.strictObject({
    mode: z.literal('federated'),
  }),
]);
export type TenantConnection = z.infer<typeof tenantConnectionSchema>;

export const tenantSchema = z.strictObject({
  tenantId: z.uuid(),
  displayName: z.string().min(1).max(256),
  /** Managed, verified domain for JIT accounts (jit-<alias>@<jitDomain>). */
  jitDomain: domainNameSchema,
  connection: tenantConnectionSchema,
  /** User principal names the service must never create, change or delete. */
  protectedAccounts: z.array(z.string()).max(100).default([]),
  /** Labels rules can scope to ({ tenantTag }); absent (rows stored before tags): untagged. */
  tags: z.array(tenantTagSchema).max(MAX_TENANT_TAGS).optional(),
  /** Customer reports (src/app/reports): who gets last month's report by email, and whether they do. */
  reportContact: z.email().optional(),
  reportMonthly: z.boolean().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Tenant = z.infer<typeof tenantSchema>;

export const roleRefSchema = z.strictObject({
  templateId: z.uuid(),
  displayName: z.string().optional(),
});
export const groupRefSchema = z.strictObject({
  id: z.uuid(),
  displayName: z.string().optional(),
});

export const principalRefSchema = z.strictObject({
  type: z.enum(['user', 'group']),
  id: z.uuid(),
});
export type PrincipalRef = z.infer<typeof principalRefSchema>;

/** The most approvals one stage may ask for, and the most stages a policy may have. */
export const MAX_APPROVALS_PER_STAGE = 10;
export const MAX_APPROVAL_STAGES = 5;

const approvalsRequiredSchema = z.number().int().min(1).max(MAX_APPROVALS_PER_STAGE);

/** One step of a multi-stage approval: its approvers must give `approvalsRequired` approvals. */
export const approvalStageSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Users or groups of the home tenant. Empty: any holder of Jit.Approver. */
  approvers: z.array(principalRefSchema).default([]),
  approvalsRequired: approvalsRequiredSchema.default(1),
});
export type ApprovalStage = z.infer<typeof approvalStageSchema>;

/**
 * The same person cannot count twice, so a stage that lists only users cannot ask for more
 * approvals than it lists (it could never complete).
 */
function stageProblem(approvers: readonly PrincipalRef[], approvalsRequired: number): string | null {
  const onlyUsers = approvers.length > 0 && approvers.every((a) => a.type === 'user');
  const distinct = new Set(approvers.map((a) => a.id.toLowerCase())).size;
  return onlyUsers && distinct < approvalsRequired
    ? `approvalsRequired (${approvalsRequired}) is more than the ${distinct} listed approver(s): the stage could never complete`
    : null;
}

export const approvalPolicySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  z
    .strictObject({
      mode: z.literal('required'),
      /** One stage: users or groups of the home tenant who may decide. Empty: any holder of Jit.Approver. */
      approvers: z.array(principalRefSchema).default([]),
      /** One stage: how many different approvers must approve (the requester never counts); absent: 1. */
      approvalsRequired: approvalsRequiredSchema.optional(),
      /** Several stages, decided in order (instead of approvers/approvalsRequired). */
      stages: z.array(approvalStageSchema).min(1).max(MAX_APPROVAL_STAGES).optional(),
      /** How long a request may wait for all its approvals. */
      deadline: durationSchema.default('PT1H'),
    })
    .superRefine((policy, ctx) => {
      if (policy.stages !== undefined && (policy.approvers.length > 0 || policy.approvalsRequired !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages'],
          message: 'give either stages or approvers/approvalsRequired, not both',
        });
      }
      const stages = policy.stages ?? [
        { approvers: policy.approvers, approvalsRequired: policy.approvalsRequired ?? 1 },
      ];
      stages.forEach((stage, index) => {
        const problem = stageProblem(stage.approvers, stage.approvalsRequired);
        if (problem !== null)
          ctx.addIssue({
            code: 'custom',
            path: policy.stages === undefined ? ['approvalsRequired'] : ['stages', index, 'approvalsRequired'],
            message: problem,
          });
      });
    }),
]);
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;

export const MAX_SCHEDULE_AHEAD = 'P90D';
export const maxScheduleAheadSchema = durationSchema.refine((d) => durationMs(d) <= durationMs(MAX_SCHEDULE_AHEAD), {
  message: `must be at most ${MAX_SCHEDULE_AHEAD}`,
});

/** Fields every target kind has. */
const targetFields = {
  tenantId: z.uuid(),
  targetId: slugSchema,
  name: z.string().min(1).max(256),
  roles: z.array(roleRefSchema).max(20).default([]),
  groups: z.array(groupRefSchema).max(20).default([]),
  defaultDuration: durationSchema.default('PT4H'),
  minDuration: durationSchema.default('PT15M'),
  maxDuration: durationSchema.default('PT8H'),
  approval: approvalPolicySchema.default({ mode: 'none' }),
  /** Scheduled access: how far ahead a request's `startAt` may be; absent: scheduling is not allowed. */
  maxScheduleAhead: maxScheduleAheadSchema.optional(),
  requireJustification: z.boolean().default(false),
  requireTicket: z.boolean().default(false),
  /** Shown to the requester with the credential (Apono's "custom access details"). */
  accessDetails: z.string().max(400).optional(),
  /** Authentication contexts (acrs) to request, reveal and approve; absent: none asked. */
  stepUp: stepUpPolicySchema.optional(),
  /** Made (and kept) by a target template (src/domain/template.ts): which one, at which version. */
  template: z.strictObject({ templateId: slugSchema, version: z.number().int().min(1) }).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const targetCredentialTypeSchema = z.enum(['password', 'temporaryAccessPass']);
export const cleanupAfterDaysUnusedSchema = z.number().int().min(1).max(3650);

/** A JIT account of the technician's own in the tenant (jit-<alias>@<jitDomain>), with a credential revealed to them. */
export const adminAccountTargetSchema = z.strictObject({
  kind: z.literal('adminAccount'),
  ...targetFields,
  credentialType: targetCredentialTypeSchema.default('password'),
  /** A Temporary Access Pass signs in once (Graph isUsableOnce); absent: JIT_TAP_USABLE_ONCE decides. */
  temporaryAccessPassUsableOnce: z.boolean().optional(),
  /** Delete the JIT account after this many days unused; absent: keep it. */
  cleanupAfterDaysUnused: cleanupAfterDaysUnusedSchema.optional(),
});

/** The requester's own account in its home tenant gets the roles and groups: no account, no credential. */
export const elevationTargetSchema = z.strictObject({
  kind: z.literal('elevation'),
  ...targetFields,
});

/** Roles in one customer that a GDAP security group's access assignments grant (docs/gdap.md). */
export const gdapGrantSchema = z.strictObject({
  customerTenantId: z.string(),
  customerName: z.string(),
  roles: z.array(z.strictObject({ templateId: z.string(), name: z.string() })),
});

/**
 * The requester's own home account joins a security group of the home tenant that GDAP access
 * assignments map to roles in customer tenants: no account in any customer tenant (docs/gdap.md).
 */
export const gdapGroupTargetSchema = z.strictObject({
  kind: z.literal('gdapGroup'),
  ...targetFields,
  /** The home tenant's security group named by GDAP access assignments. */
  groupId: z.uuid(),
  /** Computed from the access assignments when the target is created, changed or read alone; never stored. */
  gdapGrants: z.array(gdapGrantSchema).optional(),
});

/** A target kind's schema: one entry per kind (its behaviour lives in src/app/targets/). */
export const targetSchema = z.discriminatedUnion('kind', [
  adminAccountTargetSchema,
  elevationTargetSchema,
  gdapGroupTargetSchema,
]);
export type Target = z.infer<typeof targetSchema>;
export type TargetKind = Target['kind'];
export type TargetOfKind<K extends TargetKind> = Extract<Target, { kind: K }>;

export const targetKindSchema = z.enum(
  targetSchema.options.map((o) => o.shape.kind.value) as [TargetKind, ...TargetKind[]],
);

function fieldsOfKind(kind: TargetKind): ReadonlySet<string> {
  return new Set(Object.keys(targetSchema.options.find((o) => o.shape.kind.value === kind)?.shape ?? {}));
}

/** The kinds a field belongs to, when it belongs to some kinds only (credentialType: adminAccount). */
function kindsWithField(field: string): TargetKind[] {
  return targetKindSchema.options.filter((kind) => fieldsOfKind(kind).has(field));
}

/**
 * A field that belongs to other kinds only (credentialType on an elevation target) is named, so the
 * admin learns it means nothing here rather than seeing it silently kept or called unknown.
 */
export function fieldsNotOfKindProblems(value: Readonly<Record<string, unknown>>): FieldProblem[] {
  const kind = targetKindSchema.safeParse(value.kind);
  if (!kind.success) return [];
  const own = fieldsOfKind(kind.data);
  return Object.keys(value)
    .filter((field) => !own.has(field) && kindsWithField(field).length > 0)
    .map((field) => ({
      field,
      message: `applies only to ${kindsWithField(field).join(' and ')} targets, not to ${kind.data} targets`,
    }));
}

/** The value without the fields its kind does not have (and that other kinds do): see fieldsNotOfKindProblems. */
export function withoutFieldsOfOtherKinds(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const foreign = new Set(fieldsNotOfKindProblems(value).map((p) => p.field));
  return Object.fromEntries(Object.entries(value).filter(([field]) => !foreign.has(field)));
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Target rows as stored. Before kinds had their own fields, every target carried credentialType
 * (its default 'password' even on elevation targets), and the API let temporaryAccessPassUsableOnce
 * and cleanupAfterDaysUnused through on elevation targets too, where nothing ever read them. Such a
 * row reads as its kind alone; anything else wrong in a row still fails the read.
 */
export const storedTargetSchema = z.preprocess(
  (row) => (isRecord(row) ? withoutFieldsOfOtherKinds(row) : row),
  targetSchema,
);

export const targetRefSchema = z.strictObject({ tenantId: z.uuid(), targetId: slugSchema });

/**
 * What a rule reaches: these targets; every target of these tenants; every target of every
 * connected tenant (no list, so no cap: an MSP's 500 tenants, and the ones connected later); or
 * every target of the tenants carrying a tag (tagged later: covered; untagged: no longer).
 */
export const ruleScopeSchema = z.union([
  z.strictObject({ targets: z.array(targetRefSchema).min(1).max(100) }),
  z.strictObject({ tenants: z.array(z.uuid()).min(1).max(100) }),
  z.strictObject({ allTenants: z.literal(true) }),
  z.strictObject({ tenantTag: tenantTagSchema }),
]);
export type RuleScope = z.infer<typeof ruleScopeSchema>;

export const ruleSchema = z.strictObject({
  ruleId: slugSchema,
  description: z.string().max(500).optional(),
  principal: principalRefSchema,
  scope: ruleScopeSchema,
  /** A tighter cap than the target's maxDuration. */
  maxDuration: durationSchema.optional(),
  /** true forces approval (wins over any other matching rule); false waives it, only when the rule names the target (see evaluateEntitlement). */
  approvalRequired: z.boolean().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Rule = z.infer<typeof ruleSchema>;

/** A user principal name as Entra shapes it (local part @ domain); compared case-insensitively. */
export const userPrincipalNameSchema = z
  .string()
  .max(113)
  .regex(
    /^[^@\s]{1,64}@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/,
    'a user principal name such as breakglass@contoso.com',
  );

/**
 * A target's durations must make sense together: min ≤ default ≤ max, and no lease longer than
 * MAX_LEASE_DURATION (P7D). Returns every problem, named by field.
 */
export function targetDurationProblems(
  target: Pick<Target, 'defaultDuration' | 'minDuration' | 'maxDuration'>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const min = durationMs(target.minDuration);
  const def = durationMs(target.defaultDuration);
  const max = durationMs(target.maxDuration);
  if (max > durationMs(MAX_LEASE_DURATION))
    problems.push({ field: 'maxDuration', message: `must be at most ${MAX_LEASE_DURATION}` });
  if (min > max)
    problems.push({ field: 'minDuration', message: `must be at most maxDuration (${target.maxDuration})` });
  if (def < min)
    problems.push({ field: 'defaultDuration', message: `must be at least minDuration (${target.minDuration})` });
  if (def > max)
    problems.push({ field: 'defaultDuration', message: `must be at most maxDuration (${target.maxDuration})` });
  return problems;
}

/** The targets and tenants a rule's scope names by id (none for allTenants and tenantTag scopes). */
export function ruleReferences(rule: Pick<Rule, 'scope'>): {
  readonly targets: readonly { tenantId: string; targetId: string }[];
  readonly tenants: readonly string[];
} {
  if ('targets' in rule.scope) return { targets: rule.scope.targets, tenants: [] };
  if ('tenants' in rule.scope) return { targets: [], tenants: rule.scope.tenants };
  return { targets: [], tenants: [] };
}
