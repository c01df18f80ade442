import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, HOME_USERS, seedAppOf } from '../../local/sandbox/seed';
import type { AppDeps } from '../../src/app/deps';
import type { Directory, DirectoryProvider, LeaseOrchestrationControl } from '../../src/app/ports';
import { reconcile, type ReconcileReport } from '../../src/app/reconcile';
import { getServices } from '../../src/composition';
import { tenantState, userState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import { startTestStack, type TestStack } from '../support/stack';
import { newTechnician } from './workflowSupport';

/** The reconciler catches what the lease orchestrations cannot (POST /api/ops/reconcile runs it now). */
let t: TestStack;
let admin: string;
let dave: string;

beforeAll(async () => {
  t = await startTestStack();
  await connectQuickTargets(getServices().deps, [CONTOSO]);
  admin = await t.client.token(HOME_USERS.carol.userPrincipalName);
  dave = await t.client.token(HOME_USERS.dave.userPrincipalName);
}, 60_000);

afterAll(async () => {
  await t?.stack.close();
});

async function reconcileNow(): Promise<ReconcileReport> {
  const response = await t.client.api<ReconcileReport>('POST', '/ops/reconcile', { token: admin });
  expect(response.status, response.text).toBe(200);
  expect(response.body.errors).toEqual([]);
  return response.body;
}

async function activeLease(
  duration: string,
): Promise<{ id: string; account: { userPrincipalName: string; objectId: string }; expiresAt: string }> {
  const submit = await t.client.api('POST', '/requests', {
    token: dave,
    body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration },
  });
  expect(submit.status, submit.text).toBe(202);
  const id = String(submit.body.id);
  const active = await t.client.waitForRequest(id, dave, (r) => r.status === 'active');
  return {
    id,
    account: active.account as { userPrincipalName: string; objectId: string },
    expiresAt: String(active.expiresAt),
  };
}

async function terminateOrchestration(id: string): Promise<void> {
  const host = t.stack.apiBaseUrl.replace(/\/api$/, '');
  const response = await fetch(`${host}/runtime/webhooks/durabletask/instances/${id}/terminate?reason=test`, {
    method: 'POST',
  });
  expect(response.status).toBe(202);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const status = (await (await fetch(`${host}/runtime/webhooks/durabletask/instances/${id}`)).json()) as {
      runtimeStatus?: string;
    };
    if (status.runtimeStatus === 'Terminated') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`orchestration ${id} was not terminated in 10 s`);
}

describe('revoking a lease whose orchestration is gone', () => {
  it('still revokes at once: the revoke starts a revocation-only run', async () => {
    const lease = await activeLease('PT1H');
    await terminateOrchestration(lease.id);
    const revoke = await t.client.api('POST', `/requests/${lease.id}/revoke`, {
      token: dave,
      body: { reason: 'done' },
    });
    expect(revoke.status, revoke.text).toBe(202);
    const ended = await t.client.waitForRequest(lease.id, dave, (r) => r.status === 'ended');
    expect(ended).toMatchObject({
      endReason: 'revoked',
      revokedBy: HOME_USERS.dave.userPrincipalName,
      revokeReason: 'done',
    });
    expect(userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName)?.accountEnabled).toBe(false);
  });
});

describe('a pending request whose orchestration is gone', () => {
  const APPROVAL_TARGET = 'approval-quick';

  async function pendingWithoutOrchestration(deadline: string): Promise<string> {
    const deps = getServices().deps;
    if ((await deps.config.getTarget(CONTOSO.id, APPROVAL_TARGET)) === null) {
      const quick = await deps.config.getTarget(CONTOSO.id, QUICK_TARGET_ID);
      const now = new Date().toISOString();
      await deps.config.createTarget({
        ...(quick?.value ?? never()),
        targetId: APPROVAL_TARGET,
        approval: { mode: 'required', approvers: [], deadline },
        createdAt: now,
        updatedAt: now,
      });
      const rule = await deps.config.getRule('technicians-quick');
      await deps.config.replaceRule(
        {
          ...(rule?.value ?? never()),
          scope: {
            targets: [
              { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID },
              { tenantId: CONTOSO.id, targetId: APPROVAL_TARGET },
            ],
          },
        },
        rule?.etag ?? '',
      );
    }
    const submit = await t.client.api('POST', '/requests', {
      token: dave,
      body: { tenantId: CONTOSO.id, targetId: APPROVAL_TARGET, duration: 'PT1H' },
    });
    expect(submit.status, submit.text).toBe(202);
    expect(submit.body.status).toBe('pending_approval');
    await terminateOrchestration(String(submit.body.id));
    return String(submit.body.id);
  }

  it('can still be withdrawn, which frees the technician to ask again', async () => {
    const id = await pendingWithoutOrchestration('PT1H');
    expect((await t.client.api('POST', `/requests/${id}/revoke`, { token: dave, body: {} })).status).toBe(202);
    expect(await t.client.waitForRequest(id, dave, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'withdrawn',
    });
  });

  it('is taken back by the reconciler and, past its deadline, ends approval_expired', async () => {
    const id = await pendingWithoutOrchestration('PT1H');
    // Its deadline passes while nothing is waiting for it.
    const stored = await getServices().deps.requests.get(id);
    if (stored?.value.status !== 'pending_approval') throw new Error('not pending');
    await getServices().deps.requests.replace(
      { ...stored.value, approvalDeadline: new Date(Date.now() - 1000).toISOString() },
      stored.etag,
    );
    expect((await reconcileNow()).leasesRestarted).toContain(id);
    expect(await t.client.waitForRequest(id, dave, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'approval_expired',
    });
    const again = await t.client.api('POST', '/requests', {
      token: dave,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1S' },
    });
    expect(again.status, again.text).toBe(202);
    await t.client.waitForRequest(String(again.body.id), dave, (r) => r.status === 'ended');
  });
});

describe('an account deleted in the customer tenant mid-lease', () => {
  it('still ends the lease cleanly: nothing is left to take away', async () => {
    const lease = await activeLease('PT1H');
    const app = seedAppOf(CONTOSO);
    await t.client.deleteCustomerUser(
      { id: CONTOSO.id, clientId: app.clientId, clientSecret: app.clientSecret },
      lease.account.objectId,
    );
    expect((await t.client.api('POST', `/requests/${lease.id}/revoke`, { token: dave, body: {} })).status).toBe(202);
    expect(await t.client.waitForRequest(lease.id, dave, (r) => r.status === 'ended')).toMatchObject({
      endReason: 'revoked',
    });
    expect(userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName)).toBeUndefined();
  });
});

describe('the reconciler', () => {
  it('is for admins only', async () => {
    expect((await t.client.api('POST', '/ops/reconcile', { token: dave })).status).toBe(403);
    expect((await t.client.api('POST', '/ops/reconcile')).status).toBe(401);
  });

  it('revokes a lease whose orchestration was terminated and which has expired since', async () => {
    const lease = await activeLease('PT5S');
    await terminateOrchestration(lease.id);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(lease.expiresAt) - Date.now()) + 500));
    // Nothing ended it: the account is still enabled past its expiry.
    expect(userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName)?.accountEnabled).toBe(true);
    expect((await reconcileNow()).leasesRestarted).toContain(lease.id);
    const ended = await t.client.waitForRequest(lease.id, dave, (r) => r.status === 'ended');
    expect(ended.endReason).toBe('expired');
    expect(userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName)?.accountEnabled).toBe(false);
  });

  it('takes back a live lease whose orchestration vanished, so it can still be revoked', async () => {
    const lease = await activeLease('PT1H');
    await terminateOrchestration(lease.id);
    expect((await reconcileNow()).leasesRestarted).toContain(lease.id);
    // Held again, not ended early; and revocable again.
    await new Promise((r) => setTimeout(r, 500));
    expect((await t.client.api('GET', `/requests/${lease.id}`, { token: dave })).body.status).toBe('active');
    expect((await t.client.api('POST', `/requests/${lease.id}/revoke`, { token: dave, body: {} })).status).toBe(202);
    await t.client.waitForRequest(lease.id, dave, (r) => r.status === 'ended');
  });

  it('disables a JIT account someone re-enabled in the customer tenant, and rotates its password', async () => {
    const lease = await activeLease('PT1S');
    await t.client.waitForRequest(lease.id, dave, (r) => r.status === 'ended');
    const before = userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName);
    const reenable = await t.client.sandbox(
      'PATCH',
      `/_sandbox/tenants/${CONTOSO.id}/users/${lease.account.objectId}`,
      { accountEnabled: true },
    );
    expect(reenable.status, reenable.text).toBe(204);
    const report = await reconcileNow();
    expect(report.driftDisabled).toEqual([lease.account.userPrincipalName]);
    const after = userState(await t.client.state(), CONTOSO.id, lease.account.userPrincipalName);
    expect(after?.accountEnabled).toBe(false);
    expect(after?.passwordVersion).toBeGreaterThan(before?.passwordVersion ?? Infinity);
    // The app's structured lines (the alert rules' input) reach the host's log, as in Azure.
    const finding = t.logs
      .map((l) => l.message)
      .find((l) => l.includes('"event":"reconciler_finding"') && l.includes('"kind":"drift"'));
    expect(finding, 'a reconciler_finding log line for the alert rule').toBeDefined();
    expect(finding).toContain(lease.account.objectId);
    // A second run finds nothing more.
    expect((await reconcileNow()).driftDisabled).toEqual([]);
  });

  it('reports, and never touches, a jit- account it did not create', async () => {
    const app = seedAppOf(CONTOSO);
    await t.client.createCustomerUser(
      { id: CONTOSO.id, clientId: app.clientId, clientSecret: app.clientSecret },
      { userPrincipalName: 'jit-mallory@contoso.example', accountEnabled: true },
    );
    const writesBefore = tenantState(await t.client.state(), CONTOSO.id).calls.writes;
    expect((await reconcileNow()).foreignJitAccounts).toContain('jit-mallory@contoso.example');
    const state = await t.client.state();
    expect(userState(state, CONTOSO.id, 'jit-mallory@contoso.example')?.accountEnabled).toBe(true);
    expect(tenantState(state, CONTOSO.id).calls.writes).toBe(writesBefore);
  });

  it('deletes a stored credential whose lease is gone', async () => {
    const orphan = randomUUID();
    await getServices().deps.vault.putLeaseCredential('Not-A-Real-Password-123', {
      requestId: orphan,
      tenantId: CONTOSO.id,
      userPrincipalName: 'jit-x@contoso.example',
      expiresOn: new Date(Date.now() + 3600_000),
    });
    expect((await reconcileNow()).credentialsDeleted).toContain(orphan);
    expect(await getServices().deps.vault.getLeaseCredential(orphan)).toBeNull();
  });

  it('deletes an account unused for longer than every target of its tenant allows', async () => {
    const deps = getServices().deps;
    const account = await deps.accounts.get(CONTOSO.id, HOME_USERS.dave.id);
    expect(account?.objectId).toBeTruthy();
    // Not yet: the demo target sets no cleanup period.
    await deps.accounts.upsert({
      ...(account ?? never()),
      lastUsedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(),
    });
    expect((await reconcileNow()).accountsDeleted).toEqual([]);
    for (const target of await deps.config.listTargets(CONTOSO.id)) {
      const stored = await deps.config.getTarget(CONTOSO.id, target.targetId);
      await deps.config.replaceTarget(
        target.kind === 'adminAccount' ? { ...target, cleanupAfterDaysUnused: 30 } : target,
        stored?.etag ?? '',
      );
    }
    expect((await reconcileNow()).accountsDeleted).toEqual([account?.userPrincipalName]);
    expect(userState(await t.client.state(), CONTOSO.id, account?.userPrincipalName ?? '')).toBeUndefined();
    expect(await deps.accounts.get(CONTOSO.id, HOME_USERS.dave.id)).toBeNull();
  });
});

function never(): never {
  throw new Error('unreachable');
}

describe('a lease granted while the reconciler runs', () => {
  it('is not taken for drift: the lease lock is read again right before the account is disabled', async () => {
    // A technician with an account of ours, disabled after an earlier lease.
    const tech = await newTechnician(t.client, 'midrun');
    const token = await t.client.token(tech.upn);
    const first = await t.client.api('POST', '/requests', {
      token,
      body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1S' },
    });
    expect(first.status, first.text).toBe(202);
    await t.client.waitForRequest(String(first.body.id), token, (r) => r.status === 'ended');

    // The run lists the live leases first; the lease is granted after that, before the run reaches
    // Contoso's accounts (the orchestrations are all running: nothing to restart).
    const deps = getServices().deps;
    let leaseId = '';
    let account = { userPrincipalName: '', objectId: '' };
    let granted = false;
    const directories: DirectoryProvider = {
      forTenant: async (tenant, options): Promise<Directory> => {
        if (tenant.tenantId === CONTOSO.id && !granted) {
          granted = true;
          const submit = await t.client.api('POST', '/requests', {
            token,
            body: { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' },
          });
          expect(submit.status, submit.text).toBe(202);
          leaseId = String(submit.body.id);
          const active = await t.client.waitForRequest(leaseId, token, (r) => r.status === 'active');
          account = active.account as typeof account;
        }
        return deps.directories.forTenant(tenant, options);
      },
      forget: (tenantId) => deps.directories.forget(tenantId),
    };
    const orchestrations: LeaseOrchestrationControl = {
      state: () => Promise.resolve('running'),
      restart: () => Promise.reject(new Error('nothing should be restarted')),
      start: () => Promise.reject(new Error('nothing should be started')),
      raise: () => Promise.reject(new Error('nothing should be raised')),
    };
    const report = await reconcile({ ...deps, directories } satisfies AppDeps, orchestrations);
    expect(granted).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.driftDisabled).not.toContain(account.userPrincipalName);
    const user = userState(await t.client.state(), CONTOSO.id, account.userPrincipalName);
    expect(user?.accountEnabled).toBe(true);
    expect((await t.client.api('GET', `/requests/${leaseId}`, { token })).body.status).toBe('active');

    expect((await t.client.api('POST', `/requests/${leaseId}/revoke`, { token, body: {} })).status).toBe(202);
    await t.client.waitForRequest(leaseId, token, (r) => r.status === 'ended');
  });
});
