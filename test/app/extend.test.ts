import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/domain/errors';
import { extendRequest } from '../../src/app/extend';
import { submitRequest } from '../../src/app/requests';
import { FAKE_HOME_TENANT_ID, fakeDeps } from '../support/fakes/deps';
import {
  admin,
  CUSTOMER_TENANT_ID,
  markProvisioned,
  seedConfig,
  technician,
  TECHNICIANS_GROUP_ID,
  tenantRow,
} from '../support/fakes/fixtures';
import { FakeLeaseOrchestrations } from '../support/fakes/leaseOrchestrations';

/** Extension checks over in-memory ports (the timer move itself is in test/e2e/workflow.test.ts). */
async function activeLease(): Promise<{
  deps: ReturnType<typeof fakeDeps>;
  orch: FakeLeaseOrchestrations;
  id: string;
  alice: ReturnType<typeof technician>;
  expiresAt: string;
}> {
  const deps = fakeDeps();
  await seedConfig(deps); // PT1H leases, at most PT4H
  const orch = new FakeLeaseOrchestrations();
  const alice = technician('alice');
  const request = await submitRequest(deps, orch, alice, { tenantId: CUSTOMER_TENANT_ID, targetId: 'helpdesk' });
  const active = await markProvisioned(deps, request.id);
  if (active.status !== 'active') throw new Error('not active');
  return { deps, orch, id: request.id, alice, expiresAt: active.expiresAt };
}

describe('extendRequest', () => {
  it('within the cap: raises the extend event and answers the expiry asked for', async () => {
    const { deps, orch, id, alice, expiresAt } = await activeLease();
    const extended = await extendRequest(deps, orch, alice, id, 'PT2H');
    expect(extended.requestedExpiresAt).toBe(new Date(Date.parse(expiresAt) + 2 * 3600_000).toISOString());
    expect(orch.raised).toHaveLength(1);
    expect(orch.raised[0]).toMatchObject({
      requestId: id,
      event: 'extend',
      payload: { duration: 'PT2H', by: alice.objectId, byName: alice.userPrincipalName },
    });
    // An admin may extend someone else's lease.
    await extendRequest(deps, orch, admin('root'), id, 'PT15M');
    expect(orch.raised).toHaveLength(2);
  });

  it('above the cap: a 400 naming the cap; nothing raised', async () => {
    const { deps, orch, id, alice } = await activeLease();
    const asked = extendRequest(deps, orch, alice, id, 'PT3H30M');
    await expect(asked).rejects.toThrow(ValidationError);
    await expect(asked).rejects.toThrow(/the cap is PT4H in total/);
    expect(orch.raised).toEqual([]);
  });

  it('someone else cannot extend; an expired lease cannot be extended', async () => {
    const { deps, orch, id, alice } = await activeLease();
    await expect(extendRequest(deps, orch, technician('nosy'), id, 'PT15M')).rejects.toThrow(ForbiddenError);
    deps.clock.advance(3600_000);
    await expect(extendRequest(deps, orch, alice, id, 'PT15M')).rejects.toThrow(ConflictError);
    expect(orch.raised).toEqual([]);
  });

  it("re-checks the requester's standing at home now: disabled there, or out of the entitling group, is refused", async () => {
    const { deps, orch, id, alice } = await activeLease();
    await deps.config.createTenant(tenantRow({ tenantId: FAKE_HOME_TENANT_ID, displayName: 'MSP' }));
    const user = {
      objectId: alice.objectId,
      userPrincipalName: alice.userPrincipalName,
      signInSessionsValidFromDateTime: null,
      lastPasswordChangeDateTime: null,
    };
    let groupIds = [TECHNICIANS_GROUP_ID];
    let enabled = true;
    deps.directories.set(FAKE_HOME_TENANT_ID, {
      getUserWithGroups: () => Promise.resolve({ user: { ...user, accountEnabled: enabled }, groupIds }),
    });
    await extendRequest(deps, orch, alice, id, 'PT15M');

    groupIds = [];
    await expect(extendRequest(deps, orch, alice, id, 'PT15M')).rejects.toThrow(/no longer entitled/);
    groupIds = [TECHNICIANS_GROUP_ID];
    enabled = false;
    await expect(extendRequest(deps, orch, alice, id, 'PT15M')).rejects.toThrow(/no longer entitled/);
    expect(orch.raised).toHaveLength(1);
    expect(deps.directories.asked).toEqual([FAKE_HOME_TENANT_ID, FAKE_HOME_TENANT_ID, FAKE_HOME_TENANT_ID]);
  });
});
