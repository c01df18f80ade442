import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors';
import { transition } from '../../src/domain/lease';
import { StepUpRequiredError } from '../../src/domain/stepUp';
import { listRequests, revealCredential, revokeRequest, submitRequest } from '../../src/app/requests';
import { fakeDeps, type FakeDeps } from '../support/fakes/deps';
import {
  admin,
  CUSTOMER_TENANT_ID,
  markProvisioned,
  seedConfig,
  technician,
  targetRow,
} from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * The request use cases over in-memory ports: what is checked, stored, audited and asked of the
 * orchestration, without the stack. test/e2e/lease.test.ts and workflow.test.ts run the same
 * flows through the API and the Durable runner.
 */
async function setup(target: Record<string, unknown> = {}): Promise<{ deps: FakeDeps; orch: FakeLeaseOrchestrations }> {
  const deps = fakeDeps();
  await seedConfig(deps, target);
  return { deps, orch: new FakeLeaseOrchestrations() };
}

/**
 * This instance's configuration cache as it was before another instance changed the configuration:
 * `stale` answers until revalidate() (a read of the version now) runs, the current rows after it.
 */
function staleUntilRevalidated(deps: FakeDeps, stale: Partial<FakeDeps['config']['cached']>): void {
  const current = deps.config.cached;
  let revalidated = false;
  const view = new Proxy(current, {
    get(target, name, receiver) {
      if (name === 'revalidate')
        return () => {
          revalidated = true;
          return target.revalidate();
        };
      const old = revalidated ? undefined : stale[name as keyof typeof stale];
      return old ?? (Reflect.get(target, name, receiver) as unknown);
    },
  });
  Object.defineProperty(deps.config, 'cached', { value: view });
}

/** The orchestration takes up a revoke event as its activity does: the lease starts revoking. */
function revokingOnRevoke(deps: FakeDeps, orch: FakeLeaseOrchestrations): void {
  orch.onRaise = async ({ requestId, event, payload }) => {
    if (event !== 'revoke') return;
    const stored = await deps.requests.get(requestId);
    if (stored === null) return;
    const by = payload.by ?? null;
    await deps.requests.replace(
      transition(stored.value, { type: 'startRevocation', cause: 'revoked', by }, deps.clock.now()),
      stored.etag,
    );
  };
}

describe('submitRequest', () => {
  it('stores an entitled request, takes the account lock, starts its orchestration and audits it', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });

    expect(request).toMatchObject({ status: 'provisioning', duration: 'PT1H', approvalRequired: false });
    expect((await deps.requests.get(request.id))?.value).toEqual(request);
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, alice.objectId)).toMatchObject({ requestId: request.id });
    expect(orch.started).toEqual([
      expect.objectContaining({ requestId: request.id, revocationRetryIntervalMs: 60_000, notify: false }),
    ]);
    expect(deps.audit.events.map((e) => [e.action, e.requestId, e.actor.id])).toEqual([
      ['request.submitted', request.id, alice.objectId],
    ]);
  });

  it('a request that needs approval waits for it until the target approval deadline', async () => {
    const { deps, orch } = await setup({ approval: { mode: 'required', approvers: [], deadline: 'PT30M' } });
    const request = await submitRequest(deps, orch, technician('bob'), {
      tenantId: CUSTOMER_TENANT_ID,
      targetId: 'helpdesk',
    });
    expect(request.status).toBe('pending_approval');
    expect(request.status === 'pending_approval' && request.approvalDeadline).toBe(
      new Date(deps.clock.now().getTime() + 30 * 60_000).toISOString(),
    );
    expect(orch.started[0]?.approvalDeadline).toBe(request.status === 'pending_approval' && request.approvalDeadline);
  });

  it('reads the configuration as of now: a rule removed on another instance refuses the next submission', async () => {
    const { deps, orch } = await setup();
    // This instance's cache still holds the rules from before another instance removed them: only
    // revalidate() (a read of the version now) makes it see the change.
    const cachedBefore = await deps.config.listRules();
    staleUntilRevalidated(deps, { listRules: () => Promise.resolve(cachedBefore) });
    for (const rule of cachedBefore) await deps.config.deleteRule(rule.ruleId);
    await expect(
      submitRequest(deps, orch, technician('bob'), { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' }),
    ).rejects.toThrow(ForbiddenError);
    expect(orch.started).toEqual([]);
  });

  it('refuses a caller no rule entitles, and a tenant or target that does not exist: nothing stored', async () => {
    const { deps, orch } = await setup();
    const outsider = technician('mallory', { groups: [] });
    await expect(
      submitRequest(deps, orch, outsider, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' }),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      submitRequest(deps, orch, technician('a'), { tenantId: '11111111-1111-4111-8111-111111111111', targetId: 'x' }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      submitRequest(deps, orch, technician('b'), { tenantId: CUSTOMER_TENANT_ID, targetId: 'nope' }),
    ).rejects.toThrow(/target 'nope' does not exist/);
    expect(deps.requests.rows.values()).toEqual([]);
    expect(deps.locks.rows.values()).toEqual([]);
    expect(orch.started).toEqual([]);
  });

  it('names every problem of the ask at once: duration outside the target limits, missing justification and ticket', async () => {
    const { deps, orch } = await setup({ requireJustification: true, requireTicket: true });
    const asked = submitRequest(deps, orch, technician('carol'), {
      tenantId: CUSTOMER_TENANT_ID,
      targetId: 'helpdesk',
      duration: 'PT5H',
    });
    await expect(asked).rejects.toThrow(ValidationError);
    const error = (await asked.catch((e: unknown) => e)) as ValidationError;
    expect(error.problems).toEqual([
      { field: 'duration', message: 'must be at most PT4H (the maximum for this target)' },
      { field: 'justification', message: 'is required for this target' },
      { field: 'ticket', message: 'is required for this target' },
    ]);
    await expect(
      submitRequest(deps, orch, technician('dan'), {
        tenantId: CUSTOMER_TENANT_ID,
        targetId: 'helpdesk',
        duration: 'PT5M',
        justification: 'ticket work',
        ticket: 'T-1',
      }),
    ).rejects.toThrow(/must be at least PT15M/);
    expect(deps.requests.rows.values()).toEqual([]);
  });

  it('an elevation target is only for the requester own tenant', async () => {
    const { deps, orch } = await setup();
    await deps.config.createTarget(targetRow({ targetId: 'elevate', kind: 'elevation' }));
    await expect(
      submitRequest(deps, orch, technician('erin'), { tenantId: CUSTOMER_TENANT_ID, targetId: 'elevate' }),
    ).rejects.toThrow(/elevates the requester's own account/);
  });

  it('one live lease per account: a second ask is a 409 naming the first; once it ended, the stale lock is taken over', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const ask = { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' };
    const first = await submitRequest(deps, orch, alice, ask);
    const second = submitRequest(deps, orch, alice, ask);
    await expect(second).rejects.toThrow(ConflictError);
    expect(((await second.catch((e: unknown) => e)) as ConflictError).details).toEqual({
      activeRequestId: first.id,
      activeRequestStatus: 'provisioning',
    });
    expect(deps.requests.rows.values()).toHaveLength(1);

    const stored = await deps.requests.get(first.id);
    await deps.requests.replace(
      transition(stored!.value, { type: 'provisionFailed', failure: 'x', account: null }, deps.clock.now()),
      stored!.etag,
    );
    const third = await submitRequest(deps, orch, alice, ask);
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, alice.objectId)).toMatchObject({ requestId: third.id });
  });

  it('gives the lock back when the orchestration cannot be started, so the technician can try again', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    orch.start = () => Promise.reject(new Error('task hub unavailable'));
    await expect(
      submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' }),
    ).rejects.toThrow('task hub unavailable');
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, alice.objectId)).toBeNull();
    expect(deps.audit.events).toEqual([]);
  });
});

describe('revealCredential', () => {
  it('only the requester reads the credential, only while the lease is active; a refusal is audited', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
    await expect(revealCredential(deps, alice, request.id)).rejects.toThrow(/only available while the lease is active/);
    const active = await markProvisioned(deps, request.id, 'Pa55-word-of-alice');

    expect(await revealCredential(deps, alice, request.id)).toEqual({
      credentialType: 'password',
      userPrincipalName: active.status === 'active' && active.account.userPrincipalName,
      password: 'Pa55-word-of-alice',
      expiresAt: active.status === 'active' && active.expiresAt,
      accessDetails: null,
    });
    await expect(revealCredential(deps, admin('root'), request.id)).rejects.toThrow(ForbiddenError);
    expect(deps.audit.events.map((e) => [e.action, e.outcome])).toEqual([
      ['request.submitted', 'success'],
      ['credential.revealed', 'success'],
      ['credential.reveal_refused', 'failure'],
    ]);
    // Secrets stay in the vault: no audit record or log line holds it.
    expect(JSON.stringify([deps.audit.events, deps.logs])).not.toContain('Pa55-word-of-alice');

    deps.clock.advance(60 * 60_000);
    await expect(revealCredential(deps, alice, request.id)).rejects.toThrow(ConflictError);
  });
  it('reads the configuration as of now: a step-up another instance required since applies to the next reveal', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
    await markProvisioned(deps, request.id, 'Pa55-word-of-alice');
    // This instance's cache still holds the target as it was before another instance required a
    // step-up: only revalidate() (a read of the version now) makes it see the change.
    const cachedBefore = await deps.config.cached.getTarget(CUSTOMER_TENANT_ID, 'helpdesk');
    staleUntilRevalidated(deps, { getTarget: () => Promise.resolve(cachedBefore) });
    const stored = await deps.config.getTarget(CUSTOMER_TENANT_ID, 'helpdesk');
    if (stored === null) throw new Error('the seeded target is missing');
    await deps.config.replaceTarget({ ...stored.value, stepUp: { authenticationContext: 'c1' } }, stored.etag);
    await expect(revealCredential(deps, alice, request.id)).rejects.toThrow(StepUpRequiredError);
  });
});

describe('revokeRequest', () => {
  it('the requester revokes: the reason is recorded first, the orchestration hears who, the answer is the lease revoking', async () => {
    const { deps, orch } = await setup();
    revokingOnRevoke(deps, orch);
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
    await markProvisioned(deps, request.id);

    const revoked = await revokeRequest(deps, orch, alice, request.id, 'done early');
    expect(revoked).toMatchObject({ status: 'revoking', revokeCause: 'revoked', revokeReason: 'done early' });
    expect(orch.raised).toEqual([{ requestId: request.id, event: 'revoke', payload: { by: alice.userPrincipalName } }]);
    expect(deps.audit.events.at(-1)).toMatchObject({
      action: 'request.revoke_requested',
      details: { reason: 'done early' },
    });
  });

  it('another technician cannot revoke; an admin can; an ended request is a 409', async () => {
    const { deps, orch } = await setup();
    revokingOnRevoke(deps, orch);
    const request = await submitRequest(deps, orch, technician('alice'), {
      tenantId: CUSTOMER_TENANT_ID,
      targetId: 'helpdesk',
    });
    await markProvisioned(deps, request.id);
    await expect(revokeRequest(deps, orch, technician('nosy'), request.id, undefined)).rejects.toThrow(ForbiddenError);
    expect(orch.raised).toEqual([]);
    expect((await revokeRequest(deps, orch, admin('root'), request.id, undefined)).status).toBe('revoking');

    const stored = await deps.requests.get(request.id);
    await deps.requests.replace(transition(stored!.value, { type: 'revoked' }, deps.clock.now()), stored!.etag);
    await expect(revokeRequest(deps, orch, admin('root'), request.id, undefined)).rejects.toThrow(/already ended/);
  });

  it('with the orchestration gone, a pending request is withdrawn here and its lock freed', async () => {
    const { deps, orch } = await setup({ approval: { mode: 'required', approvers: [], deadline: 'PT1H' } });
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
    orch.setState(request.id, 'terminated');

    const withdrawn = await revokeRequest(deps, orch, alice, request.id, undefined);
    expect(withdrawn).toMatchObject({ status: 'ended', endReason: 'withdrawn' });
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, alice.objectId)).toBeNull();
    expect(orch.restarted).toEqual([]);
    expect(deps.logs.map((l) => l.event)).toContain('withdrawn_without_orchestration');
  });

  it('with the orchestration failed, an active lease is revoked by a revocation-only run', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
    await markProvisioned(deps, request.id);
    orch.setState(request.id, 'failed');
    orch.restart = async (input) => {
      orch.restarted.push(input);
      const stored = await deps.requests.get(input.requestId);
      await deps.requests.replace(
        transition(stored!.value, { type: 'startRevocation', cause: 'revoked', by: 'x' }, deps.clock.now()),
        stored!.etag,
      );
    };

    expect((await revokeRequest(deps, orch, alice, request.id, undefined)).status).toBe('revoking');
    expect(orch.restarted).toEqual([
      expect.objectContaining({
        requestId: request.id,
        resumeRevocation: { cause: 'revoked', by: alice.userPrincipalName },
      }),
    ]);
  });
});

describe('listRequests', () => {
  it('a technician sees their own requests only, newest first and paged; an admin sees everyone', async () => {
    const { deps, orch } = await setup();
    const alice = technician('alice');
    const bob = technician('bob');
    const mine = [await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' })];
    deps.clock.advance(1000);
    const bobs = await submitRequest(deps, orch, bob, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });

    const page = await listRequests(deps, alice, { limit: 50 });
    expect(page.items.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    const all = await listRequests(deps, admin('root'), { limit: 1 });
    expect(all.items.map((r) => r.id)).toEqual([bobs.id]);
    expect(all.continuationToken).not.toBeNull();
    const next = await listRequests(deps, admin('root'), { limit: 1, continuationToken: all.continuationToken! });
    expect(next.items.map((r) => r.id)).toEqual([mine[0]!.id]);
    expect((await listRequests(deps, admin('root'), { limit: 50, mine: 'true' })).items).toEqual([]);
  });
});
