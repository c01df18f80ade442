import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshStores } from './fixtures';

describe('TableOnceStore', () => {
  it('keeps and replays an outcome larger than a row property holds (a bulk connect of 50 tenants)', async () => {
    const store = freshStores().idempotency;
    const scope = randomUUID();
    // The shape of POST /customers/connect's answer: 50 lines of about 1.9 KB of JSON each.
    const body = {
      items: Array.from({ length: 50 }, (_, i) => ({
        tenantId: randomUUID(),
        outcome: 'connected',
        tenant: {
          displayName: `MSP customer ${i}`,
          verification: {
            checks: Array.from({ length: 12 }, (_, c) => ({ name: `check ${c}`, ok: true, detail: 'x'.repeat(120) })),
          },
        },
      })),
    };
    expect(JSON.stringify(body).length).toBeGreaterThan(64 * 1024);
    expect(await store.claim(scope, 'key-1', 'fp')).toEqual({ claimed: true });
    await store.complete(scope, 'key-1', { status: 200, body });
    expect(await store.claim(scope, 'key-1', 'fp')).toEqual({
      claimed: false,
      fingerprint: 'fp',
      outcome: { status: 200, body },
    });
  });

  it('keeps a small outcome as it is', async () => {
    const store = freshStores().idempotency;
    const scope = randomUUID();
    await store.claim(scope, 'key-2', 'fp');
    await store.complete(scope, 'key-2', { status: 201, body: { id: 'r1' }, headers: { location: '/r1' } });
    expect(await store.claim(scope, 'key-2', 'other')).toEqual({
      claimed: false,
      fingerprint: 'fp',
      outcome: { status: 201, body: { id: 'r1' }, headers: { location: '/r1' } },
    });
  });
});
