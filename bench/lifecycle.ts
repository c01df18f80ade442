import type { AppDeps } from '../src/app/deps';
import type { LeaseRequest } from '../src/domain/request';
import { CONTOSO, HOME_GROUPS, HOME_TENANT_ID } from '../local/sandbox/seed';
import { DEMO_TARGET_ID } from '../local/seedDemo';
import { taskHubMetrics, type TaskHubMetricsSnapshot } from '../local/durable/taskHubMetrics';
import { callJson, describeError, mapLimit, sleep, type JsonResponse } from './http';
import { summarize, type Summary } from './stats';
import type { ServiceEvent, ServiceLogTap } from './serviceLog';
import { asProbe, type TableCounter } from './tableCounter';

/**
 * The lease lifecycle benchmark: N technicians each ask for one seconds-long lease at the same
 * moment. Transitions are timed as the service logs them (`lease_activated`, `lease_ended`: each is
 * written right after the request row changed), each technician reveals the credential as soon as
 * the lease is active, and the sandbox's cheap user listing is polled every `pollMs` for accounts
 * disabled after expiry. At the end every request is read back to check it ended as `expired`.
 */
export const BENCH_TARGET_ID = 'bench-lease';
const BENCH_RULE_ID = 'bench-technicians';

export interface LifecycleParams {
  readonly apiBaseUrl: string;
  readonly sandboxUrl: string;
  readonly deps: AppDeps;
  readonly tables: TableCounter;
  readonly serviceLog: ServiceLogTap;
  readonly leases: number;
  readonly duration: string;
  readonly pollMs: number;
  readonly timeoutSeconds: number;
}

interface Trace {
  readonly user: string;
  readonly token: string;
  id?: string;
  submittedAt: number;
  submitStatus?: number;
  /** When POST /requests answered. */
  answeredAt?: number;
  activeAt?: number;
  expiresAt?: number;
  userPrincipalName?: string;
  credentialAt?: number;
  disabledAt?: number;
  endedAt?: number;
  recordedEndedAt?: number;
  finalStatus?: string;
  failure?: string;
}

export interface Counts {
  readonly graphCalls: number;
  readonly graphWrites: number;
  /** HTTP requests that carried the customer tenant's Graph calls (a $batch carries up to 20). */
  readonly graphRoundTrips: number;
  /** Graph round trips to the home tenant (the entitlement re-check before provisioning). */
  readonly homeGraphRoundTrips: number;
  readonly keyVaultCalls: number;
  readonly keyVaultWrites: number;
  readonly tableRoundTrips: number;
  readonly taskHubRoundTrips: number;
  /** The app's own Table Storage round trips: all of them but the local task hub's (Azure's in production). */
  readonly appTableRoundTrips: number;
  readonly taskHubByTable: Readonly<Record<string, number>>;
  readonly episodes: number;
  readonly activities: number;
}

export interface LifecycleResult {
  readonly leases: number;
  /** Submissions answered 202 (the per-lease counts divide by this). */
  readonly accepted: number;
  readonly succeeded: number;
  readonly failures: readonly string[];
  /** The failures grouped by what went wrong (numbers in the messages read as N), most frequent first. */
  readonly failureReasons: readonly { readonly reason: string; readonly count: number }[];
  readonly wallSeconds: number;
  /** Mean period of the sandbox poll that times "account disabled" (its resolution). */
  readonly meanPollPeriodMs: number;
  /** Polls of the sandbox's directory that failed (retried the next period), and the first error. */
  readonly failedPolls: { readonly count: number; readonly first?: string };
  /** POST /requests until its answer (202 with the request). */
  readonly requestToAccepted: Summary;
  readonly requestToActive: Summary;
  readonly requestToCredential: Summary;
  readonly expiryToDisabled: Summary;
  readonly expiryToEnded: Summary;
  /** How much of the asked duration was gone when the lease was logged active (expiresAt is fixed before the last writes). */
  readonly leaseTimeLostAtActivation: Summary;
  /** endedAt as the service recorded it in the request, minus expiresAt. */
  readonly expiryToEndedRecorded: Summary;
  readonly perLease: Counts;
  readonly totals: Counts;
  /** Table round trips the benchmark itself made (the final read-back; left out of every figure above). */
  readonly observerTableRoundTrips: number;
  readonly timeline: LifecycleTimeline;
}

/**
 * The moments (epoch ms) that split the run into phases for the app's CPU figures, and how much
 * the phases overlap (leases are concurrent: one lease's activation runs while others still submit).
 */
export interface LifecycleTimeline {
  /** The first POST /requests. */
  readonly startedAt: number;
  /** The last POST /requests answered. */
  readonly lastAnsweredAt: number;
  /** The last lease logged `active`. */
  readonly lastActiveAt: number;
  /** The earliest expiresAt of a lease (its timer fires then). */
  readonly firstExpiryAt: number;
  /** The last thing the benchmark waited for: a lease logged ended, an account seen disabled, a credential read. */
  readonly lastDoneAt: number;
  readonly activatedBeforeLastAnswered: number;
  readonly endedBeforeLastActive: number;
}

interface SandboxCalls {
  tenants: { id: string; calls: { total: number; writes: number; roundTrips: number } }[];
  keyVault: { total: number; writes: number };
}

export async function prepareLifecycle(
  params: Pick<LifecycleParams, 'sandboxUrl' | 'deps' | 'leases'>,
): Promise<{ user: string; token: string }[]> {
  const { deps } = params;
  const demo = await deps.config.getTarget(CONTOSO.id, DEMO_TARGET_ID);
  if (demo === null)
    throw new Error(`the demo target '${DEMO_TARGET_ID}' is missing: the stack must start with seedDemo`);
  const now = new Date().toISOString();
  // The demo target (two directory roles), accepting seconds-long leases.
  await deps.config.createTarget({
    ...demo.value,
    targetId: BENCH_TARGET_ID,
    name: 'Benchmark lease',
    minDuration: 'PT1S',
    defaultDuration: 'PT5S',
    createdAt: now,
    updatedAt: now,
  });
  await deps.config.createRule({
    ruleId: BENCH_RULE_ID,
    description: 'Benchmark technicians',
    principal: { type: 'group', id: HOME_GROUPS.allTechnicians.id },
    scope: { targets: [{ tenantId: CONTOSO.id, targetId: BENCH_TARGET_ID }] },
    createdAt: now,
    updatedAt: now,
  });
  const indexes = Array.from({ length: params.leases }, (_, i) => i + 1);
  return mapLimit(indexes, 16, async (i) => {
    const user = `bench-${i}@msp.example`;
    const created = await callJson(`${params.sandboxUrl}/_sandbox/tenants/msp.example/users`, 'POST', {
      body: { userPrincipalName: user, groups: [HOME_GROUPS.allTechnicians.id] },
    });
    if (created.status !== 201)
      throw new Error(`creating ${user} in the sandbox: ${created.status} ${JSON.stringify(created.body)}`);
    const token = await callJson<{ access_token: string }>(`${params.sandboxUrl}/_sandbox/tokens`, 'POST', {
      body: { user },
    });
    if (token.status !== 200) throw new Error(`token for ${user}: ${token.status}`);
    return { user, token: token.body.access_token };
  });
}

export async function runLifecycle(
  params: LifecycleParams,
  technicians: readonly { user: string; token: string }[],
): Promise<LifecycleResult> {
  const before = await snapshot(params);
  const traces: Trace[] = technicians.map((t) => ({ ...t, submittedAt: 0 }));
  const durationMs = Number(/^PT(\d+)S$/.exec(params.duration)?.[1] ?? 0) * 1000;
  const started = Date.now();
  const deadline = started + params.timeoutSeconds * 1000;

  const reveals: Promise<void>[] = [];
  const byId = new Map<string, Trace>();
  const early = new Map<string, ServiceEvent[]>();
  const onActive = (trace: Trace): void => void reveals.push(reveal(params, trace, deadline));
  const stopListening = params.serviceLog.subscribe((event) => onServiceEvent(event, byId, early, onActive));
  let polls: { count: number; totalMs: number };
  const failedPolls: { count: number; first?: string } = { count: 0 };
  try {
    // The directory is watched from the start: when submissions are slow, early leases expire (and
    // are disabled) before the last POST is answered.
    let submitting = true;
    const submissions = Promise.all(
      traces.map(async (trace) => {
        await submit(params, trace, byId);
        // Events logged before this POST answered: applied now, at the times they were logged.
        for (const event of early.get(trace.id ?? '') ?? []) apply(trace, event, onActive);
        early.delete(trace.id ?? '');
      }),
    ).finally(() => (submitting = false));
    [, polls] = await Promise.all([submissions, observe(params, traces, deadline, () => submitting, failedPolls)]);
    await Promise.all(reveals);
  } finally {
    stopListening();
  }
  await readBack(params, traces);
  const wallSeconds = (Date.now() - started) / 1000;
  const after = await snapshot(params);

  const failures: string[] = [];
  for (const t of traces) {
    if (t.failure !== undefined) failures.push(`${t.user}: ${t.failure}`);
    else if (t.finalStatus !== 'ended')
      failures.push(`${t.user}: ${t.finalStatus ?? 'no request'} after ${params.timeoutSeconds} s`);
    else if (t.credentialAt === undefined) failures.push(`${t.user}: the credential was never readable`);
    else if (t.disabledAt === undefined) failures.push(`${t.user}: the account was not seen disabled`);
  }
  const succeeded = traces.length - failures.length;
  const totals = diff(before, after);
  // Per lease that was accepted: a refused submission costs little and provisions nothing.
  const accepted = Math.max(1, traces.filter((t) => t.id !== undefined).length);
  const per = (n: number): number => Math.round((n / accepted) * 100) / 100;
  const perLease: Counts = {
    graphCalls: per(totals.graphCalls),
    graphWrites: per(totals.graphWrites),
    graphRoundTrips: per(totals.graphRoundTrips),
    homeGraphRoundTrips: per(totals.homeGraphRoundTrips),
    keyVaultCalls: per(totals.keyVaultCalls),
    keyVaultWrites: per(totals.keyVaultWrites),
    tableRoundTrips: per(totals.tableRoundTrips),
    taskHubRoundTrips: per(totals.taskHubRoundTrips),
    appTableRoundTrips: per(totals.appTableRoundTrips),
    taskHubByTable: Object.fromEntries(Object.entries(totals.taskHubByTable).map(([k, v]) => [k, per(v)])),
    episodes: per(totals.episodes),
    activities: per(totals.activities),
  };
  const sample = (pick: (t: Trace) => number | undefined): number[] =>
    traces.map(pick).filter((v): v is number => v !== undefined);
  return {
    leases: traces.length,
    accepted,
    succeeded,
    failures,
    failureReasons: groupFailures(failures),
    wallSeconds,
    meanPollPeriodMs: polls.count === 0 ? 0 : Math.round(polls.totalMs / polls.count),
    failedPolls,
    requestToAccepted: summarize(
      sample((t) => (t.answeredAt === undefined || t.submitStatus !== 202 ? undefined : t.answeredAt - t.submittedAt)),
    ),
    requestToActive: summarize(sample((t) => (t.activeAt === undefined ? undefined : t.activeAt - t.submittedAt))),
    requestToCredential: summarize(
      sample((t) => (t.credentialAt === undefined ? undefined : t.credentialAt - t.submittedAt)),
    ),
    expiryToDisabled: summarize(
      sample((t) => (t.disabledAt === undefined || t.expiresAt === undefined ? undefined : t.disabledAt - t.expiresAt)),
    ),
    leaseTimeLostAtActivation: summarize(
      sample((t) =>
        t.activeAt === undefined || t.expiresAt === undefined
          ? undefined
          : Math.max(0, t.activeAt - (t.expiresAt - durationMs)),
      ),
    ),
    expiryToEnded: summarize(
      sample((t) => (t.endedAt === undefined || t.expiresAt === undefined ? undefined : t.endedAt - t.expiresAt)),
    ),
    expiryToEndedRecorded: summarize(
      sample((t) =>
        t.recordedEndedAt === undefined || t.expiresAt === undefined ? undefined : t.recordedEndedAt - t.expiresAt,
      ),
    ),
    perLease,
    totals,
    observerTableRoundTrips: after.tables.probe - before.tables.probe,
    timeline: timelineOf(traces, started),
  };
}

function groupFailures(failures: readonly string[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const failure of failures) {
    const reason = failure.replace(/^[^:]*: /, '').replace(/\d+/g, 'N');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, count }));
}

function timelineOf(traces: readonly Trace[], startedAt: number): LifecycleTimeline {
  const latest = (values: (number | undefined)[]): number =>
    values.reduce<number>((max, v) => (v !== undefined && v > max ? v : max), startedAt);
  const lastAnsweredAt = latest(traces.map((t) => t.answeredAt));
  const lastActiveAt = Math.max(lastAnsweredAt, latest(traces.map((t) => t.activeAt)));
  const expiries = traces.map((t) => t.expiresAt).filter((v): v is number => v !== undefined);
  const lastDoneAt = Math.max(lastActiveAt, latest(traces.flatMap((t) => [t.endedAt, t.disabledAt, t.credentialAt])));
  return {
    startedAt,
    lastAnsweredAt,
    lastActiveAt,
    firstExpiryAt: expiries.length === 0 ? lastDoneAt : Math.min(...expiries),
    lastDoneAt,
    activatedBeforeLastAnswered: traces.filter((t) => t.activeAt !== undefined && t.activeAt <= lastAnsweredAt).length,
    endedBeforeLastActive: traces.filter((t) => t.endedAt !== undefined && t.endedAt <= lastActiveAt).length,
  };
}

async function submit(params: LifecycleParams, trace: Trace, byId: Map<string, Trace>): Promise<void> {
  trace.submittedAt = Date.now();
  try {
    const res = await callJson<{ id?: string }>(`${params.apiBaseUrl}/requests`, 'POST', {
      token: trace.token,
      body: { tenantId: CONTOSO.id, targetId: BENCH_TARGET_ID, duration: params.duration, justification: 'benchmark' },
    });
    trace.submitStatus = res.status;
    trace.answeredAt = Date.now();
    if (res.status !== 202 || typeof res.body.id !== 'string')
      trace.failure = `POST /requests answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`;
    else {
      trace.id = res.body.id;
      byId.set(res.body.id, trace);
    }
  } catch (error) {
    trace.failure = `POST /requests failed: ${describeError(error)}`;
  }
}

/** Reveals the credential as its technician would, retrying while the API says it is not ready yet. */
async function reveal(params: LifecycleParams, trace: Trace, deadline: number): Promise<void> {
  const started = Date.now();
  while (Date.now() < deadline) {
    let res: JsonResponse<{ password?: unknown; requestStatus?: unknown }>;
    try {
      res = await callJson(`${params.apiBaseUrl}/requests/${trace.id ?? ''}/credential`, 'POST', {
        token: trace.token,
      });
    } catch (error) {
      trace.failure ??= `POST /credential failed: ${describeError(error)}`;
      return;
    }
    if (res.status === 200 && typeof res.body.password === 'string' && res.body.password.length > 0) {
      trace.credentialAt = Date.now();
      return; // the password itself is dropped here: never logged, never written
    }
    // Past its expiry the lease's credential is gone for good (the API answers 409 while the
    // revocation has not started yet): retrying every 20 ms would only add load to an app already late.
    const expired = trace.expiresAt !== undefined && Date.now() >= trace.expiresAt;
    if (res.status === 409 && expired) {
      trace.failure ??= `the lease expired before its credential was read (409 ${String(res.body.requestStatus)}, ${Date.now() - started} ms after it was logged active)`;
      return;
    }
    if (res.status !== 409 || (res.body.requestStatus !== 'provisioning' && res.body.requestStatus !== 'active')) {
      trace.failure ??= `POST /credential answered ${res.status} (${String(res.body.requestStatus)}) ${Date.now() - started} ms after the lease was logged active`;
      return;
    }
    await sleep(20);
  }
}

/** Events logged before their request's POST answered are kept in `early` until the id is known. */
function onServiceEvent(
  event: ServiceEvent,
  byId: Map<string, Trace>,
  early: Map<string, ServiceEvent[]>,
  onActive: (t: Trace) => void,
): void {
  const requestId = event.fields.requestId;
  const trace = typeof requestId === 'string' ? byId.get(requestId) : undefined;
  // An event may be logged before POST /requests has answered: the id is not known yet.
  if (trace === undefined) {
    if (typeof requestId === 'string') early.set(requestId, [...(early.get(requestId) ?? []), event]);
    return;
  }
  apply(trace, event, onActive);
}

function apply(trace: Trace, event: ServiceEvent, onActive: (t: Trace) => void): void {
  const f = event.fields;
  switch (event.event) {
    case 'lease_activated':
      if (trace.activeAt !== undefined) return;
      trace.activeAt = event.at;
      trace.expiresAt = typeof f.expiresAt === 'string' ? Date.parse(f.expiresAt) : undefined;
      trace.userPrincipalName = typeof f.userPrincipalName === 'string' ? f.userPrincipalName.toLowerCase() : undefined;
      onActive(trace);
      return;
    case 'lease_ended':
      trace.endedAt ??= event.at;
      if (f.endReason !== 'expired') trace.failure ??= `ended as ${String(f.endReason)}, not expired`;
      return;
    case 'provisioning_failed':
      trace.failure ??= `provisioning failed: ${String(f.reason)}`;
      return;
    case 'revocation_failed':
      trace.failure ??= `revocation failed: ${String(f.reason)}`;
      return;
    default:
      return;
  }
}

/** Waits for every lease to end, polling the directory for accounts disabled after expiry. */
async function observe(
  params: LifecycleParams,
  traces: Trace[],
  deadline: number,
  stillSubmitting: () => boolean,
  failedPolls: { count: number; first?: string },
): Promise<{ count: number; totalMs: number }> {
  const open = (t: Trace): boolean =>
    t.id !== undefined &&
    t.failure === undefined &&
    (t.endedAt === undefined || (t.disabledAt === undefined && t.userPrincipalName !== undefined));
  let count = 0;
  let totalMs = 0;
  let last = Date.now();
  while ((stillSubmitting() || traces.some(open)) && Date.now() < deadline) {
    const now = Date.now();
    const due = traces.filter(
      (t) =>
        t.userPrincipalName !== undefined &&
        t.disabledAt === undefined &&
        t.expiresAt !== undefined &&
        now >= t.expiresAt,
    );
    if (due.length > 0) {
      try {
        const res = await callJson<{ users?: { userPrincipalName: string; accountEnabled: boolean }[] }>(
          `${params.sandboxUrl}/_sandbox/tenants/${CONTOSO.id}/users`,
          'GET',
        );
        const seenAt = Date.now();
        const enabled = new Map(
          (res.body.users ?? []).map((u) => [u.userPrincipalName.toLowerCase(), u.accountEnabled]),
        );
        for (const t of due) if (enabled.get(t.userPrincipalName ?? '') === false) t.disabledAt = seenAt;
      } catch (error) {
        // One lost poll (e.g. a connection timing out while hundreds of submissions load the
        // process) costs resolution, not the run: counted and reported, and polled again next period.
        failedPolls.count += 1;
        failedPolls.first ??= describeError(error);
      }
    }
    await sleep(Math.max(0, params.pollMs - (Date.now() - now)));
    const end = Date.now();
    totalMs += end - last;
    last = end;
    count += 1;
  }
  return { count, totalMs };
}

/** Reads every request back (as GET /requests/{id} would): status, endReason and recorded endedAt. */
async function readBack(params: LifecycleParams, traces: Trace[]): Promise<void> {
  const rows = new Map((await asProbe(() => listAll(params.deps))).map((r) => [r.id, r]));
  for (const trace of traces) {
    const row = trace.id === undefined ? undefined : rows.get(trace.id);
    if (row === undefined) continue;
    trace.finalStatus = row.status;
    if (row.status === 'ended') {
      trace.recordedEndedAt = Date.parse(row.endedAt);
      if (row.endReason !== 'expired') trace.failure ??= `ended as ${row.endReason}, not expired`;
    } else if (row.status === 'failed') trace.failure ??= `failed: ${row.failure}`;
  }
}

async function listAll(deps: AppDeps): Promise<LeaseRequest[]> {
  const all: LeaseRequest[] = [];
  let continuationToken: string | null = null;
  do {
    const page = await deps.requests.list({ tenantId: CONTOSO.id }, { limit: 1000, continuationToken });
    all.push(...page.items);
    continuationToken = page.continuationToken ?? null;
  } while (continuationToken !== null);
  return all;
}

interface Snapshot {
  readonly sandbox: SandboxCalls;
  readonly tables: { service: number; probe: number };
  readonly taskHub: TaskHubMetricsSnapshot;
}

async function snapshot(params: LifecycleParams): Promise<Snapshot> {
  const res = await callJson<SandboxCalls>(`${params.sandboxUrl}/_sandbox/calls`, 'GET');
  if (res.status !== 200) throw new Error(`GET /_sandbox/calls answered ${res.status}`);
  return { sandbox: res.body, tables: params.tables.counts(), taskHub: taskHubMetrics() };
}

function diff(a: Snapshot, b: Snapshot): Counts {
  const callsOf = (s: Snapshot, tenantId: string): { total: number; writes: number; roundTrips: number } =>
    s.sandbox.tenants.find((t) => t.id === tenantId)?.calls ?? { total: 0, writes: 0, roundTrips: 0 };
  const tenantCalls = (s: Snapshot): { total: number; writes: number; roundTrips: number } => callsOf(s, CONTOSO.id);
  const byTable: Record<string, number> = {};
  for (const [table, n] of Object.entries(b.taskHub.roundTripsByTable))
    byTable[table] = n - (a.taskHub.roundTripsByTable[table] ?? 0);
  return {
    graphCalls: tenantCalls(b).total - tenantCalls(a).total,
    graphWrites: tenantCalls(b).writes - tenantCalls(a).writes,
    graphRoundTrips: tenantCalls(b).roundTrips - tenantCalls(a).roundTrips,
    homeGraphRoundTrips: callsOf(b, HOME_TENANT_ID).roundTrips - callsOf(a, HOME_TENANT_ID).roundTrips,
    keyVaultCalls: b.sandbox.keyVault.total - a.sandbox.keyVault.total,
    keyVaultWrites: b.sandbox.keyVault.writes - a.sandbox.keyVault.writes,
    tableRoundTrips: b.tables.service - a.tables.service,
    taskHubRoundTrips: b.taskHub.roundTrips - a.taskHub.roundTrips,
    appTableRoundTrips: b.tables.service - a.tables.service - (b.taskHub.roundTrips - a.taskHub.roundTrips),
    taskHubByTable: byTable,
    episodes: b.taskHub.episodes - a.taskHub.episodes,
    activities: b.taskHub.activities - a.taskHub.activities,
  };
}
