import { describe, expect, it } from 'vitest';
import {
  passLifetimeFor,
  policyScopeProblem,
  targetPolicyProblems,
  type TemporaryAccessPassPolicy,
} from '../../src/domain/temporaryAccessPassPolicy';

const DEFAULT: TemporaryAccessPassPolicy = {
  enabled: true,
  minimumLifetimeInMinutes: 60,
  maximumLifetimeInMinutes: 480,
  isUsableOnce: false,
  includeTargets: ['all_users'],
  excludeTargets: [],
};
const minutes = (n: number): number => n * 60_000;

describe('a pass within the tenant policy', () => {
  it('raises a short lease to the minimum lifetime and keeps a long one as it is', () => {
    expect(passLifetimeFor(DEFAULT, 30_000, false)).toEqual({ ok: true, lifetimeInMinutes: 60, isUsableOnce: false });
    expect(passLifetimeFor(DEFAULT, minutes(90) + 1, false)).toEqual({
      ok: true,
      lifetimeInMinutes: 91,
      isUsableOnce: false,
    });
    expect(passLifetimeFor(DEFAULT, minutes(480), false)).toMatchObject({ ok: true, lifetimeInMinutes: 480 });
  });

  it('refuses a lease the maximum cannot cover, or any pass while the policy is off', () => {
    expect(passLifetimeFor(DEFAULT, minutes(481), false)).toEqual({
      ok: false,
      reason: "the tenant's Temporary Access Pass policy allows passes of at most 8 h, and the lease needs 481 min",
    });
    expect(passLifetimeFor({ ...DEFAULT, enabled: false }, minutes(60), false)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/disabled/) as string,
    });
  });

  it('is one-time when the policy forces it, whatever the target asks', () => {
    expect(passLifetimeFor({ ...DEFAULT, isUsableOnce: true }, minutes(60), false)).toMatchObject({
      isUsableOnce: true,
    });
    expect(passLifetimeFor(DEFAULT, minutes(60), true)).toMatchObject({ isUsableOnce: true });
  });
});

describe('a TAP target under the policy', () => {
  it("fits when its maxDuration is within the policy's maximum and new accounts are in scope", () => {
    expect(targetPolicyProblems(DEFAULT, { maxDuration: 'PT8H', groups: [] })).toEqual([]);
    expect(targetPolicyProblems(DEFAULT, { maxDuration: 'PT8H1M', groups: [] })).toEqual([
      { field: 'maxDuration', message: expect.stringMatching(/^PT8H1M is longer/) as string },
    ]);
  });

  it('needs all users in scope, or a group the target adds the account to, and none of its groups excluded', () => {
    const onlyGroup = { ...DEFAULT, includeTargets: ['g1'] };
    expect(policyScopeProblem(onlyGroup, [])).toMatch(/applies only to group\(s\) g1/);
    expect(policyScopeProblem(onlyGroup, ['G1'])).toBeNull();
    expect(policyScopeProblem({ ...DEFAULT, excludeTargets: ['g2'] }, ['g2'])).toMatch(/excludes group\(s\) g2/);
  });
});
