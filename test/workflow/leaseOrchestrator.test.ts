import { randomUUID } from 'node:crypto';
import * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/host/functionsCore';
import { startHost, type RunningHost } from '../../local/functionsHost';
import type { LeaseOrchestrationInput } from '../../src/app/ports';
import type { LeaseActivityInput, LeaseActivityName, LeaseActivityOutput } from '../../src/workflow/activities';
import { testEnv, uniqueName } from '../support/env';

/**
 * The real `lease` orchestrator on the local Durable runner, with stand-in activities, so that a
 * revocation that keeps failing can be driven quickly: it must never finish quietly. Each failed
 * round (six attempts with back-off) is recorded — status revocation_failed, the failure activity
 * that audits and alerts — then retried after the interval, the history restarting every 20
 * rounds, until revocation succeeds.
 */
interface Script {
  failingAttempts: number;
  revokeAttempts: number;
  failuresRecorded: number[];
  /** provisionAccess answers `throttled` (Graph's write limit used up) this many times first. */
  throttledProvisioning: number;
  /** When each provisionAccess call ran (ms since the epoch). */
  provisionCalls: number[];
  revocations: LeaseActivityInput<'revokeAccess'>[];
  /** revokeAccess answers `throttled` (contained, its cleanup waiting for Graph's write limit) this many times first. */
  throttledRevocations: number;
  /** When each revokeAccess call ran (ms since the epoch). */
  revokeCalls: number[];
}

/** What a throttled provisionAccess tells the orchestration to wait. */
const RETRY_AFTER_MS = 300;
const scripts = new Map<string, Script>();
let host: RunningHost;

/** A stand-in registered under an activity's real name, typed by the table: a renamed activity breaks the build here. */
function standIn<N extends LeaseActivityName>(
  name: N,
  handler: (input: LeaseActivityInput<N>) => LeaseActivityOutput<N>,
): void {
  df.app.activity(name, { handler });
}

beforeAll(async () => {
  const registry = installFunctionsCore();
  await import('../../functions/lease/leaseOrchestrator.js');
  const script = (requestId: string): Script => {
    const s = scripts.get(requestId);
    if (s === undefined) throw new Error(`no script for ${requestId}`);
    return s;
  };
  standIn('provisionAccess', (requestId) => {
    const s = script(requestId);
    s.provisionCalls.push(Date.now());
    if (s.provisionCalls.length <= s.throttledProvisioning)
      return { status: 'throttled', retryAfterMs: RETRY_AFTER_MS };
    return {
      status: 'active',
      expiresAt: new Date(Date.now() + 200).toISOString(),
      account: { userPrincipalName: `jit-${requestId.slice(0, 4)}@contoso.example`, objectId: randomUUID() },
    };
  });
  standIn('revokeAccess', (input) => {
    const s = script(input.requestId);
    s.revocations.push(input);
    s.revokeCalls.push(Date.now());
    if (s.revokeCalls.length <= s.throttledRevocations) return { status: 'throttled', retryAfterMs: RETRY_AFTER_MS };
    s.revokeAttempts++;
    if (s.revokeAttempts <= s.failingAttempts) throw new Error('Graph unavailable (test)');
    return { status: 'ended' };
  });
  standIn('recordRevocationFailure', (input) => {
    expect(input.failure).toContain('Graph unavailable (test)');
    script(input.requestId).failuresRecorded.push(input.attempt);
  });
  standIn('notifyLease', () => undefined);
  host = await startHost({
    port: 0,
    registry,
    storageConnectionString: testEnv('JIT_TEST_TABLES_CONNECTION_STRING'),
    taskHub: uniqueName('hub'),
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
});

async function runLease(
  failingAttempts: number,
  options: {
    throttledProvisioning?: number;
    provisioningWriteLimitWaitMs?: number;
    throttledRevocations?: number;
  } = {},
): Promise<{ script: Script; statuses: Set<string>; output: unknown }> {
  const requestId = randomUUID();
  const script: Script = {
    failingAttempts,
    revokeAttempts: 0,
    failuresRecorded: [],
    throttledProvisioning: options.throttledProvisioning ?? 0,
    provisionCalls: [],
    revocations: [],
    throttledRevocations: options.throttledRevocations ?? 0,
    revokeCalls: [],
  };
  scripts.set(requestId, script);
  const input: LeaseOrchestrationInput = {
    requestId,
    revocationRetryIntervalMs: 20,
    activityRetryFirstIntervalMs: 10,
    ...(options.provisioningWriteLimitWaitMs === undefined
      ? {}
      : { provisioningWriteLimitWaitMs: options.provisioningWriteLimitWaitMs }),
  };
  const base = `${host.url}/runtime/webhooks/durabletask`;
  const started = await fetch(`${base}/orchestrators/lease/${requestId}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: { 'Content-Type': 'application/json' },
  });
  expect(started.status).toBe(202);
  const statuses = new Set<string>();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await (await fetch(`${base}/instances/${requestId}`)).json()) as {
      runtimeStatus: string;
      customStatus: unknown;
      output: unknown;
    };
    if (typeof status.customStatus === 'string') statuses.add(status.customStatus);
    if (status.runtimeStatus === 'Completed' || status.runtimeStatus === 'Failed') {
      expect(status.runtimeStatus).toBe('Completed');
      return { script, statuses, output: status.output };
    }
    if (Date.now() > deadline) throw new Error(`lease ${requestId} did not finish: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a revocation that keeps failing', () => {
  it('is recorded after each failed round and retried until it succeeds', async () => {
    const { script, statuses, output } = await runLease(12); // two rounds of six attempts fail
    expect(script.failuresRecorded).toEqual([1, 2]);
    expect(script.revokeAttempts).toBe(13);
    expect(statuses.has('revocation_failed')).toBe(true);
    expect(output).toBe('ended');
  });

  it('keeps going past 20 rounds by restarting its history, never finishing quietly', async () => {
    const { script, output } = await runLease(6 * 21);
    // Rounds 1–20 in the first history, then round 1 of the continued one fails too.
    expect(script.failuresRecorded).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 1]);
    expect(script.revokeAttempts).toBe(6 * 21 + 1);
    expect(output).toBe('ended');
  }, 60_000);
});

describe('provisioning that finds Graph’s write limit used up', () => {
  it('is called again after a durable timer, not retried in the activity, and the lease then goes active', async () => {
    const { script, statuses, output } = await runLease(0, { throttledProvisioning: 2 });
    expect(script.provisionCalls).toHaveLength(3);
    // Each call after the activity's answer came, after the wait it asked for (a timer, not a retry policy).
    for (let i = 1; i < script.provisionCalls.length; i++)
      expect((script.provisionCalls[i] ?? 0) - (script.provisionCalls[i - 1] ?? 0)).toBeGreaterThanOrEqual(
        RETRY_AFTER_MS - 20,
      );
    expect(statuses.has('provisioning')).toBe(true);
    expect(statuses.has('active')).toBe(true);
    // Active, then expired and revoked as usual.
    expect(script.revocations).toEqual([{ requestId: expect.any(String) as string, cause: 'expired', by: null }]);
    expect(output).toBe('ended');
  });

  it('gives up once the wait would pass the bound: the request fails and what was granted is taken away', async () => {
    const { script, output } = await runLease(0, { throttledProvisioning: 100, provisioningWriteLimitWaitMs: 500 });
    // Called at 0 and about 300 ms; a third call would come after the 500 ms bound.
    expect(script.provisionCalls).toHaveLength(2);
    expect(script.revocations).toHaveLength(1);
    expect(script.revocations[0]?.cause).toBe('provisionFailed');
    expect(script.revocations[0]?.failure).toContain("Microsoft Graph's write limit");
    expect(output).toBe('failed');
  });
});

describe('a revocation whose cleanup waits for Graph’s write limit', () => {
  it('is called again after the wait it asks for, on a durable timer, with no failure recorded, until it ends', async () => {
    const { script, statuses, output } = await runLease(0, { throttledRevocations: 2 });
    expect(script.revokeCalls).toHaveLength(3);
    for (let i = 1; i < script.revokeCalls.length; i++)
      expect((script.revokeCalls[i] ?? 0) - (script.revokeCalls[i - 1] ?? 0)).toBeGreaterThanOrEqual(
        RETRY_AFTER_MS - 20,
      );
    // The same revocation each time, the calls after a throttled answer told the lease is contained
    // (no second disable), and no round counted as failed (no status, audit or alert).
    expect(script.revocations.map((r) => r.contained === true)).toEqual([false, true, true]);
    expect(new Set(script.revocations.map(({ contained: _, ...r }) => JSON.stringify(r))).size).toBe(1);
    expect(script.failuresRecorded).toEqual([]);
    expect(statuses.has('revocation_failed')).toBe(false);
    expect(statuses.has('revoking')).toBe(true);
    expect(output).toBe('ended');
  });

  it('keeps coming back past 20 rounds (its history restarted), the revocation carried over', async () => {
    const { script, output } = await runLease(0, { throttledRevocations: 22 });
    expect(script.revokeCalls).toHaveLength(23);
    expect(script.failuresRecorded).toEqual([]);
    expect(script.revocations.every((r) => r.cause === 'expired')).toBe(true);
    expect(output).toBe('ended');
  }, 60_000);
});
