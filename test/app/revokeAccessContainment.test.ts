import { describe, expect, it } from 'vitest';
import type { DirectoryProvider } from '../../src/app/ports';
import { submitRequest } from '../../src/app/requests';
import { revokeAccess } from '../../src/app/revokeAccess';
import { WriteLimitReachedError } from '../../src/domain/errors';
import { partialDirectory } from '../support/fakes/directory';
import { fakeDeps } from '../support/fakes/deps';
import { CUSTOMER_TENANT_ID, markProvisioned, seedConfig, technician } from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/**
 * A revocation whose cleanup finds Graph's write window used up: the account is disabled first, at
 * containment priority; the cleanup, refused by the write budget, makes the activity answer
 * `throttled` (no activity slot held), the request staying `revoking` with its lock; each call
 * again disables first, and once the window has room the lease ends, read back. The audit says
 * once that the lease was contained and once that it ended, however many calls it took.
 */
describe('revokeAccess when the cleanup waits for the write window', () => {
  it('disables first, answers throttled with the lock held, audits lease.contained once, and ends once there is room', async () => {
    const calls: string[] = [];
    let cleanupRoom = false;
    let enabled = true;
    let strippedAt: string | null = null;
    const directories: DirectoryProvider = {
      forTenant: (tenant, options) =>
        Promise.resolve(
          partialDirectory(tenant.tenantId, {
            disableAccount: () => {
              calls.push(`${options?.purpose}: disable`);
              enabled = false;
              return Promise.resolve();
            },
            stripAccess: () => {
              calls.push(`${options?.purpose}: strip`);
              if (!cleanupRoom) return Promise.reject(new WriteLimitReachedError('window used up (test)', 42_000));
              strippedAt = base.clock.now().toISOString();
              return Promise.resolve();
            },
            readAccess: (objectId) =>
              Promise.resolve({
                user: {
                  objectId,
                  userPrincipalName: 'jit@contoso.example',
                  accountEnabled: enabled,
                  signInSessionsValidFromDateTime: strippedAt,
                  lastPasswordChangeDateTime: strippedAt,
                },
                roleAssignments: [],
                groupIds: [],
              }),
          }),
        ),
      forget: () => undefined,
    };
    const base = fakeDeps();
    const deps = { ...base, directories };
    await seedConfig(base);
    const requester = technician('erin');
    const request = await submitRequest(deps, new FakeLeaseOrchestrations(), requester, {
      tenantId: CUSTOMER_TENANT_ID,
      targetId: 'helpdesk',
    });
    await markProvisioned(base, request.id);
    const input = { requestId: request.id, cause: 'expired', by: null } as const;
    const actions = async (): Promise<string[]> =>
      (await deps.audit.list({ requestId: request.id }, { limit: 50 })).items.map((r) => r.action);
    const count = (list: string[], action: string): number => list.filter((a) => a === action).length;

    for (let call = 0; call < 2; call++)
      expect(await revokeAccess(deps, input)).toEqual({ status: 'throttled', retryAfterMs: 42_000 });
    expect(calls).toEqual(['containment: disable', 'revocation: strip', 'containment: disable', 'revocation: strip']);
    expect(enabled).toBe(false);
    expect((await deps.requests.get(request.id))?.value.status).toBe('revoking');
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, requester.objectId)).toMatchObject({ requestId: request.id });
    let recorded = await actions();
    expect(count(recorded, 'lease.contained')).toBe(1);
    expect(count(recorded, 'lease.ended')).toBe(0);
    expect(count(recorded, 'lease.revocation_failed')).toBe(0);

    // The orchestration's next call after a throttled answer says the lease is contained: no second
    // disable (a write the full window has no room for), straight to the cleanup.
    expect(await revokeAccess(deps, { ...input, contained: true })).toEqual({
      status: 'throttled',
      retryAfterMs: 42_000,
    });
    expect(calls.slice(4)).toEqual(['revocation: strip']);

    cleanupRoom = true;
    // Re-enabled in the customer tenant meanwhile: the read-back after the cleanup sees it, the round
    // fails, and the orchestration's next round (after a failure, not contained) disables it first.
    enabled = true;
    await expect(revokeAccess(deps, { ...input, contained: true })).rejects.toThrow(/still enabled/);
    expect(calls.slice(5)).toEqual(['revocation: strip']);
    expect(await revokeAccess(deps, input)).toEqual({ status: 'ended' });
    expect(calls.slice(6)).toEqual(['containment: disable', 'revocation: strip']);
    expect((await deps.requests.get(request.id))?.value.status).toBe('ended');
    expect(await deps.locks.get(CUSTOMER_TENANT_ID, requester.objectId)).toBeNull();
    // Run again after it ended (a lost reply): nothing more is written.
    await revokeAccess(deps, input);
    recorded = await actions();
    expect(count(recorded, 'lease.contained')).toBe(1);
    expect(count(recorded, 'lease.ended')).toBe(1);
  });
});
