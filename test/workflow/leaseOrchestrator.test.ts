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
}
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
  standIn('provisionAccess', (requestId) => ({
    status: 'active',
    expiresAt: new Date(Date.now() + 200).toISOString(),
    account: { userPrincipalName: `jit-${requestId.slice(0, 4)}@contoso.example`, objectId: randomUUID() },
  }));
  standIn('revokeAccess', (input) => {
    const s = script(input.requestId);
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

async function runLease(failingAttempts: number): Promise<{ script: Script; statuses: Set<string>; output: unknown }> {
  const requestId = randomUUID();
  const script: Script = { failingAttempts, revokeAttempts: 0, failuresRecorded: [] };
  scripts.set(requestId, script);
  const input: LeaseOrchestrationInput = { requestId, revocationRetryIntervalMs: 20, activityRetryFirstIntervalMs: 10 };
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
