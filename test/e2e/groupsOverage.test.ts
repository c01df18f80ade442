import { describe, expect, it } from 'vitest';
import { CONTOSO, HOME_GROUPS, HOME_USERS } from '../../local/sandbox/seed';
import { getServices } from '../../src/composition';
import { QUICK_TARGET_ID } from '../support/quickTargets';
import { useQuickStack } from '../support/stack';
import { connectHomeTenant } from './workflowSupport';

/**
 * A technician in more than 200 groups gets a token with a groups overage instead of `groups`
 * (Entra's JWT limit). Group rules must still apply to them: their groups are read from the home
 * tenant through Graph; when it is not connected, the answer says why group rules could not apply.
 */
const t = useQuickStack();

const check = { tenantId: CONTOSO.id, targetId: QUICK_TARGET_ID, duration: 'PT1H' };

describe('a token with a groups overage', () => {
  it('without the home tenant connected: group rules cannot apply, and the answer says why', async () => {
    const token = await t.client.token(HOME_USERS.alice.userPrincipalName, { groupsOverage: true });
    const answer = await t.client.api('POST', '/entitlements/check', { token, body: check });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.allowed).toBe(false);
    expect(JSON.stringify(answer.body.reasons)).toMatch(/more than 200.*home tenant is not connected/);

    const submit = await t.client.api('POST', '/requests', { token, body: check });
    expect(submit.status).toBe(403);
    expect(submit.text).toMatch(/groups overage/);
  });

  it('with the home tenant connected: the groups are read from Graph and the rule for "All technicians" applies', async () => {
    await connectHomeTenant(getServices().deps);
    const token = await t.client.token(HOME_USERS.alice.userPrincipalName, { groupsOverage: true });
    const answer = await t.client.api('POST', '/entitlements/check', { token, body: check });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.allowed).toBe(true);

    const submit = await t.client.api('POST', '/requests', { token, body: check });
    expect(submit.status, submit.text).toBe(202);
    const request = await getServices().deps.requests.get(String(submit.body.id));
    expect(request?.value.requester.groups).toContain(HOME_GROUPS.allTechnicians.id);
    await t.client.waitForRequest(String(submit.body.id), token, (r) => r.status === 'active');
    const revoke = await t.client.api('POST', `/requests/${String(submit.body.id)}/revoke`, {
      token,
      body: { reason: 'done' },
    });
    expect(revoke.status, revoke.text).toBe(202);

    // A user outside the group is still refused: reading groups grants nothing by itself.
    const outsider = await t.client.token(HOME_USERS.erin.userPrincipalName, { groupsOverage: true });
    const refused = await t.client.api('POST', '/entitlements/check', { token: outsider, body: check });
    expect(refused.body.allowed).toBe(false);
  });
});
