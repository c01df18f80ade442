import { describe, expect, it } from 'vitest';
import { checkReviewer } from '../../src/domain/approval';
import { ChainVerifier, chainRecord, GENESIS_HASH, type AuditRecord } from '../../src/domain/auditChain';
import { checkExtension } from '../../src/domain/extension';
import { signPayload, verifySignature } from '../../src/domain/webhookSignature';

const requester = '1a000000-0000-4000-8000-00000000a11c';
const bob = { objectId: '1a000000-0000-4000-8000-000000000b0b', groups: ['g-1'], roles: ['Jit.Approver'] };

describe('checkReviewer', () => {
  it('refuses the requester first, whatever roles they hold', () => {
    const self = checkReviewer(
      requester,
      { objectId: requester.toUpperCase(), groups: ['g-1'], roles: ['Jit.Approver', 'Jit.Admin'] },
      [{ type: 'user', id: requester }],
    );
    expect(self.allowed).toBe(false);
    expect(self.allowed ? '' : self.reason).toMatch(/own request/);
  });
  it('with no approvers named, any Jit.Approver (and not a bare admin)', () => {
    expect(checkReviewer(requester, bob, []).allowed).toBe(true);
    expect(checkReviewer(requester, { ...bob, roles: ['Jit.Admin'] }, []).allowed).toBe(false);
  });
  it('with approvers named, only those users or members of those groups', () => {
    expect(checkReviewer(requester, bob, [{ type: 'group', id: 'G-1' }]).allowed).toBe(true);
    expect(checkReviewer(requester, bob, [{ type: 'user', id: '1a000000-0000-4000-8000-0000000ca201' }]).allowed).toBe(
      false,
    );
  });
});

describe('checkExtension', () => {
  const lease = { activatedAt: '2026-01-01T10:00:00.000Z', expiresAt: '2026-01-01T11:00:00.000Z' };
  it('adds the duration to the current expiry within the total cap', () => {
    expect(checkExtension(lease, 'PT1H', 'PT2H')).toEqual({ allowed: true, expiresAt: '2026-01-01T12:00:00.000Z' });
  });
  it('refuses past the cap, naming it and the latest expiry', () => {
    expect(checkExtension(lease, 'PT1H1S', 'PT2H')).toMatchObject({
      allowed: false,
      maxTotalDuration: 'PT2H',
      latestExpiry: '2026-01-01T12:00:00.000Z',
    });
  });
});

describe('webhook signatures', () => {
  const now = new Date('2026-01-01T10:00:00.000Z');
  const ts = String(now.getTime() / 1000);
  const body = '{"a":1}';
  it('accepts the right signature within 5 minutes', () => {
    expect(
      verifySignature({ secret: 's', timestamp: ts, signature: signPayload('s', ts, body), rawBody: body, now }),
    ).toEqual({ valid: true });
    expect(
      verifySignature({
        secret: 's',
        timestamp: ts,
        signature: signPayload('s', ts, body),
        rawBody: body,
        now: new Date(now.getTime() + 299_000),
      }).valid,
    ).toBe(true);
  });
  it('refuses another secret, another body, an old or malformed timestamp', () => {
    expect(
      verifySignature({ secret: 's', timestamp: ts, signature: signPayload('t', ts, body), rawBody: body, now }).valid,
    ).toBe(false);
    expect(
      verifySignature({ secret: 's', timestamp: ts, signature: signPayload('s', ts, body), rawBody: '{"a":2}', now })
        .valid,
    ).toBe(false);
    expect(
      verifySignature({
        secret: 's',
        timestamp: ts,
        signature: signPayload('s', ts, body),
        rawBody: body,
        now: new Date(now.getTime() + 301_000),
      }).valid,
    ).toBe(false);
    expect(
      verifySignature({ secret: 's', timestamp: 'soon', signature: signPayload('s', 'soon', body), rawBody: body, now })
        .valid,
    ).toBe(false);
    expect(verifySignature({ secret: 's', timestamp: ts, signature: 'sha256=zz', rawBody: body, now }).valid).toBe(
      false,
    );
  });
});

describe('the audit hash chain', () => {
  function chain(n: number, action = 'a.b'): AuditRecord[] {
    const records: AuditRecord[] = [];
    let head = { seq: 0, hash: GENESIS_HASH };
    for (let i = 0; i < n; i++) {
      const record = chainRecord(
        {
          id: `e${i}`,
          at: '2026-01-01T10:00:00.000Z',
          actor: { type: 'system', id: 'x' },
          action,
          outcome: 'success',
          requestId: null,
          tenantId: null,
          targetId: null,
          ticket: null,
          details: { i },
        },
        head,
      );
      records.push(record);
      head = record;
    }
    return records;
  }
  function verify(
    records: AuditRecord[],
    head: { seq: number; hash: string } | null,
    anchor: { seq: number; hash: string } | null = null,
  ) {
    const verifier = new ChainVerifier(head, anchor);
    for (const r of [...records].reverse()) verifier.push(r);
    return verifier.result();
  }
  it('verifies an intact chain and reports the oldest break', () => {
    const records = chain(5);
    const head = records[4]!;
    expect(verify(records, head)).toMatchObject({ intact: true, records: 5 });
    const edited = records.map((r) => (r.seq === 2 || r.seq === 4 ? { ...r, details: { i: 99 } } : r));
    expect(verify(edited, head).firstBroken).toMatchObject({ seq: 2 });
    expect(
      verify(
        records.filter((r) => r.seq !== 3),
        head,
      ).firstBroken,
    ).toMatchObject({ seq: 3 });
    expect(
      verify(
        records.filter((r) => r.seq !== 3),
        head,
      ).firstBroken?.reason,
    ).toMatch(/missing/);
    expect(verify(records.slice(0, 4), head).firstBroken).toMatchObject({ seq: 4 });
    expect(verify(records.slice(1), head).firstBroken).toMatchObject({ seq: 1 });
  });

  it('catches a chain rebuilt from scratch with an anchor noted before, and a chain cut short', () => {
    const records = chain(5);
    const anchor = { seq: 3, hash: records[2]!.hash };
    expect(verify(records, records[4]!, anchor)).toMatchObject({
      intact: true,
      anchorMatches: true,
      headHash: records[4]!.hash,
    });
    // Every record rewritten and re-hashed, head included: intact on its own, not against the anchor.
    const rebuilt = chain(5, 'a.forged');
    expect(verify(rebuilt, rebuilt[4]!)).toMatchObject({ intact: true, anchorMatches: null });
    const caught = verify(rebuilt, rebuilt[4]!, anchor);
    expect(caught).toMatchObject({ intact: false, anchorMatches: false, firstBroken: { seq: 3 } });
    expect(caught.firstBroken?.reason).toMatch(/rewritten/);
    // Cut back to two records (head too): the anchored record is gone.
    const cut = records.slice(0, 2);
    expect(verify(cut, cut[1]!, anchor)).toMatchObject({
      intact: false,
      anchorMatches: false,
      firstBroken: { seq: 3 },
    });
  });
});
