import { describe, expect, it } from 'vitest';
import {
  fieldsNotOfKindProblems,
  storedTargetSchema,
  targetSchema,
  withoutFieldsOfOtherKinds,
} from '../../src/domain/config';

const now = '2026-12-03T09:00:00.000Z';
const common = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  targetId: 'helpdesk',
  name: 'Helpdesk',
  createdAt: now,
  updatedAt: now,
};

describe('Target, a discriminated union on kind', () => {
  it('gives each kind its own fields, with their defaults', () => {
    expect(targetSchema.parse({ ...common, kind: 'adminAccount' })).toMatchObject({ credentialType: 'password' });
    expect(targetSchema.parse({ ...common, kind: 'elevation' })).not.toHaveProperty('credentialType');
    expect(targetSchema.safeParse({ ...common, kind: 'elevation', credentialType: 'password' }).success).toBe(false);
    expect(targetSchema.safeParse({ ...common, kind: 'gdap' }).success).toBe(false);
  });

  it("names a field of another kind as such, and only those (an unknown field is the schema's to refuse)", () => {
    expect(
      fieldsNotOfKindProblems({ ...common, kind: 'elevation', credentialType: 'password', colour: 'red' }),
    ).toEqual([{ field: 'credentialType', message: 'applies only to adminAccount targets, not to elevation targets' }]);
    expect(fieldsNotOfKindProblems({ ...common, kind: 'adminAccount', credentialType: 'password' })).toEqual([]);
    expect(fieldsNotOfKindProblems({ ...common, kind: 'nonsense', credentialType: 'password' })).toEqual([]);
    expect(withoutFieldsOfOtherKinds({ kind: 'elevation', name: 'x', cleanupAfterDaysUnused: 3 })).toEqual({
      kind: 'elevation',
      name: 'x',
    });
  });

  it('reads stored rows of elevation targets that still carry the flat fields, and nothing else wrong', () => {
    const legacy = { ...common, kind: 'elevation', credentialType: 'password', temporaryAccessPassUsableOnce: false };
    expect(storedTargetSchema.parse(legacy)).toEqual(targetSchema.parse({ ...common, kind: 'elevation' }));
    expect(storedTargetSchema.safeParse({ ...legacy, colour: 'red' }).success).toBe(false);
    expect(storedTargetSchema.safeParse({ ...common, kind: 'adminAccount', credentialType: 'sms' }).success).toBe(
      false,
    );
  });
});
