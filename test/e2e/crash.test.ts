import { afterAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString } from '../../local/azurite';
import { CONTOSO, FABRIKAM, HOME_TENANT_ID, HOME_USERS, SERVICE_APP } from '../../local/sandbox/seed';
import { createAdapters } from '../../src/adapters';
import { parseSettings } from '../../src/settings';
import { tenantState, userState } from '../support/client';
import { connectQuickTargets, QUICK_TARGET_ID } from '../support/quickTargets';
import {
  killService,
  serviceEnv,
  startService,
  stopStorage,
  type ServiceEnv,
  type StartedService,
} from '../support/service';

/**
 * `npm start` is killed outright (SIGKILL) at random moments while a batch of leases is being
 * provisioned, held and revoked — between activities, mid-activity, with timers pending — and
 * started again each time. Every lease still ends, none ends before its expiry, every account is
 * revoked, and no technician gets a second account. CRASH_KILLS sets how many kills (default 3).
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 3);
let service: ServiceEnv | undefined;
let current: StartedService | undefined;

afterAll(async () => {
  if (current !== undefined) await killService(current.child);
  if (service !== undefined) await stopStorage(service);
});

describe('crashes mid-lease', () => {
  it(`survives ${KILLS} kills across a batch of leases`, async () => {
    service = await serviceEnv('crashhub');
    const { client, ports } = service;
    current = await startService(service);
    const settings = parseSettings({
      JIT_HOME_TENANT_ID: HOME_TENANT_ID,
      JIT_API_CLIENT_ID: SERVICE_APP.clientId,
      JIT_AUTHORITY_HOST: client.sandboxUrl,
      JIT_GRAPH_BASE_URL: client.sandboxUrl,
      JIT_KEY_VAULT_URL: client.sandboxUrl,
      JIT_TABLES_CONNECTION_STRING: azuriteConnectionString(ports.tables),
      JIT_SERVICE_CLIENT_SECRET: SERVICE_APP.clientSecret,
    });
    await connectQuickTargets(createAdapters(settings));

    const leases: { id: string; tenantId: string; token: string }[] = [];
    for (const tech of [HOME_USERS.alice, HOME_USERS.dave]) {
      const token = await client.token(tech.userPrincipalName);
      for (const tenant of [CONTOSO, FABRIKAM]) {
        const submit = await client.api('POST', '/requests', {
          token,
          body: { tenantId: tenant.id, targetId: QUICK_TARGET_ID, duration: 'PT6S' },
        });
        expect(submit.status, submit.text).toBe(202);
        leases.push({ id: String(submit.body.id), tenantId: tenant.id, token });
      }
    }

    const killedAfterMs: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const afterMs = Math.round(200 + Math.random() * 3000);
      await new Promise((r) => setTimeout(r, afterMs));
      killedAfterMs.push(afterMs);
      await killService(current.child);
      current = await startService(service);
    }
    console.log(`crash: killed npm start ${KILLS} times, each after ${killedAfterMs.join(', ')} ms of uptime`);

    const ended = await Promise.all(
      leases.map((l) =>
        client.waitForRequest(l.id, l.token, (r) => r.status === 'ended' || r.status === 'failed', 120_000),
      ),
    );
    const state = await client.state();
    for (const [i, request] of ended.entries()) {
      const lease = leases[i];
      if (lease === undefined) throw new Error('lease list out of step');
      expect(request.status, JSON.stringify(request)).toBe('ended');
      expect(request.endReason).toBe('expired');
      // Never early: the end is at or after the expiry the lease was given.
      expect(Date.parse(String(request.endedAt))).toBeGreaterThanOrEqual(Date.parse(String(request.expiresAt)));
      const account = request.account as { userPrincipalName: string; objectId: string };
      const user = userState(state, lease.tenantId, account.userPrincipalName);
      expect(user?.accountEnabled).toBe(false);
      expect(Date.parse(user?.signInSessionsValidFromDateTime ?? '')).toBeGreaterThanOrEqual(
        Date.parse(String(request.activatedAt)) - 1000,
      );
      expect(
        tenantState(state, lease.tenantId).roleAssignments.filter((a) => a.principalId === account.objectId),
      ).toEqual([]);
      expect(tenantState(state, lease.tenantId).groups.filter((g) => g.memberIds.includes(account.objectId))).toEqual(
        [],
      );
    }
    for (const tenant of [CONTOSO, FABRIKAM]) {
      const jitUsers = tenantState(state, tenant.id).users.filter((u) => u.userPrincipalName.startsWith('jit-'));
      expect(jitUsers).toHaveLength(2);
      expect(tenantState(state, tenant.id).protectedWriteAttempts).toBe(0);
    }
    expect(state.keyVault.secrets.filter((s) => s.name.startsWith('lease-') && !s.deleted)).toEqual([]);
  }, 300_000);
});
