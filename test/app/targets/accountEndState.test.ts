import { describe, expect, it } from 'vitest';
import type { DirectoryAccess } from '../../../src/app/ports';
import { accountEndStateGaps } from '../../../src/app/targets/accountEndState';

const account = { userPrincipalName: 'jit-alice@contoso.example', objectId: '0b5c6a8e-2d3f-4a1b-9c7d-1e2f3a4b5c6d' };
const startedAt = new Date('2026-12-03T09:00:00Z');

function directoryShowing(access: DirectoryAccess | null, passes = 0) {
  return {
    readAccess: () => Promise.resolve(access),
    countTemporaryAccessPasses: () => Promise.resolve(passes),
  };
}

/** What a finished revocation leaves: timestamps at second precision, as Entra stores them. */
const ended: DirectoryAccess = {
  user: {
    objectId: account.objectId,
    userPrincipalName: account.userPrincipalName,
    accountEnabled: false,
    signInSessionsValidFromDateTime: '2026-12-03T09:00:00Z',
    lastPasswordChangeDateTime: '2026-12-03T09:00:00Z',
  },
  roleAssignments: [],
  groupIds: [],
};

describe('the account end state (revocation and drift share it)', () => {
  it('is reached when the directory shows every effect, or the user is gone', async () => {
    expect(
      await accountEndStateGaps(directoryShowing(ended), account, startedAt, { temporaryAccessPasses: true }),
    ).toEqual([]);
    expect(
      await accountEndStateGaps(directoryShowing(null), account, startedAt, { temporaryAccessPasses: true }),
    ).toEqual([]);
  });

  it('names each effect the directory does not show yet', async () => {
    const halfway: DirectoryAccess = {
      user: {
        ...ended.user,
        accountEnabled: true,
        signInSessionsValidFromDateTime: '2026-12-03T08:00:00Z',
        lastPasswordChangeDateTime: null,
      },
      roleAssignments: [{ assignmentId: 'a1', roleTemplateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8' }],
      groupIds: ['g1', 'g2'],
    };
    expect(
      await accountEndStateGaps(directoryShowing(halfway, 1), account, startedAt, { temporaryAccessPasses: true }),
    ).toEqual([
      'the account is still enabled',
      'sign-in sessions were not revoked',
      'the password was not rotated',
      '1 role assignment(s) remain',
      '2 group membership(s) remain',
      'a temporary access pass remains',
    ]);
  });

  it('counts a remaining Temporary Access Pass only for a TAP lease (the count needs the TAP permission)', async () => {
    expect(
      await accountEndStateGaps(directoryShowing(ended, 1), account, startedAt, { temporaryAccessPasses: false }),
    ).toEqual([]);
  });
});
