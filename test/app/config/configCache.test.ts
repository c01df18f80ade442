import { describe, expect, it } from 'vitest';
import { ConfigCache, type ConfigVersion } from '../../../src/app/config/configCache';

/** A cache over a version the test moves, with a clock the test moves. */
function harness(options: { intervalMs?: number; maxAgeMs?: number } = {}) {
  const state = { now: 0, version: 'v1' as ConfigVersion, versionReads: 0, loads: 0, value: 'a' };
  const cache = new ConfigCache(
    () => {
      state.versionReads += 1;
      return Promise.resolve(state.version);
    },
    { versionCheckIntervalMs: options.intervalMs ?? 1_000, maxAgeMs: options.maxAgeMs ?? 60_000, now: () => state.now },
  );
  const read = () =>
    cache.get('key', () => {
      state.loads += 1;
      return Promise.resolve({ value: state.value });
    });
  return { state, cache, read };
}

describe('ConfigCache', () => {
  it('loads once and reads the version at most once per interval while nothing changes', async () => {
    const { state, read } = harness();
    for (let i = 0; i < 5; i++) expect((await read()).value).toBe('a');
    expect(state.loads).toBe(1);
    expect(state.versionReads).toBe(1);
    state.now = 999;
    await read();
    expect(state.versionReads).toBe(1);
    state.now = 1_000;
    await read();
    expect(state.versionReads).toBe(2);
    expect(state.loads).toBe(1);
  });

  it("sees another instance's change (the version moved) within the interval, not after it", async () => {
    const { state, read } = harness();
    await read();
    state.value = 'b';
    state.version = 'v2';
    state.now = 500;
    expect((await read()).value).toBe('a'); // inside the bound: the cached answer
    state.now = 1_000;
    expect((await read()).value).toBe('b');
  });

  it("revalidate: another instance's change is seen at once, inside the interval, for one version read", async () => {
    const { state, cache, read } = harness();
    await read();
    state.value = 'b';
    state.version = 'v2';
    state.now = 10; // far inside the interval: a plain read still answers from the cache
    expect((await read()).value).toBe('a');
    await cache.revalidate();
    expect((await read()).value).toBe('b');
    expect(state.versionReads).toBe(2);
    // Unchanged since: the rows come from the cache, the only cost is the version read.
    await cache.revalidate();
    expect((await read()).value).toBe('b');
    expect(state.versionReads).toBe(3);
    expect(state.loads).toBe(2);
  });

  it("sees this process's own change at once (invalidate)", async () => {
    const { state, cache, read } = harness();
    await read();
    state.value = 'b';
    cache.invalidate();
    expect((await read()).value).toBe('b');
  });

  it('keeps nothing a load under way before an invalidation brings back', async () => {
    const { state, cache } = harness();
    let release: (v: { value: string }) => void = () => undefined;
    const slow = cache.get('key', () => new Promise<{ value: string }>((r) => (release = r)));
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    cache.invalidate();
    release({ value: 'old' });
    expect((await slow).value).toBe('old');
    state.value = 'new';
    expect((await cache.get('key', () => Promise.resolve({ value: state.value }))).value).toBe('new');
  });

  it('shares one load between concurrent misses and keeps no failed load', async () => {
    const { state, cache, read } = harness();
    const [a, b] = await Promise.all([read(), read()]);
    expect(a).toBe(b);
    expect(state.loads).toBe(1);
    await expect(cache.get('broken', () => Promise.reject(new Error('table down')))).rejects.toThrow('table down');
    expect(await cache.get('broken', () => Promise.resolve('back'))).toBe('back');
  });

  it('refuses to answer when the version cannot be read (never serves what it cannot vouch for)', async () => {
    const cache = new ConfigCache(() => Promise.reject(new Error('version row unreadable')), {
      versionCheckIntervalMs: 1_000,
      maxAgeMs: 60_000,
      now: () => 0,
    });
    await expect(cache.get('key', () => Promise.resolve('x'))).rejects.toThrow('version row unreadable');
  });

  it('reads everything again after maxAgeMs even if the version never moved (a lost bump)', async () => {
    const { state, read } = harness({ maxAgeMs: 10_000 });
    await read();
    state.value = 'b';
    state.now = 9_999;
    expect((await read()).value).toBe('a');
    state.now = 10_000;
    expect((await read()).value).toBe('b');
  });

  it('hands out frozen values: one caller cannot change what the next is told', async () => {
    const { read } = harness();
    const first = await read();
    expect(() => {
      first.value = 'tampered';
    }).toThrow(TypeError);
    expect((await read()).value).toBe('a');
  });

  it('tells what is loaded already without loading it, and forgets it with everything else', async () => {
    const { state, cache, read } = harness();
    expect(await cache.loaded('key')).toBeUndefined();
    await read();
    expect(await cache.loaded('key')).toEqual({ value: 'a' });
    state.version = 'v2';
    state.now = 1_000;
    expect(await cache.loaded('key')).toBeUndefined();
    expect(state.loads).toBe(1);
  });

  it('revalidate: calls that begin while a version read is under way share the next read, never that one', async () => {
    // Version reads the test answers one by one: each captures the version when it is sent.
    const sent: { version: ConfigVersion; answer: () => void }[] = [];
    const state = { version: 'v1' as ConfigVersion, value: 'a' };
    const cache = new ConfigCache(
      () =>
        new Promise<ConfigVersion>((resolve) => {
          const version = state.version;
          sent.push({ version, answer: () => resolve(version) });
        }),
      { versionCheckIntervalMs: 1_000, maxAgeMs: 60_000, now: () => 0 },
    );
    const read = () => cache.get('key', () => Promise.resolve({ value: state.value }));
    const settle = () => new Promise((r) => setImmediate(r));

    const first = cache.revalidate();
    await settle();
    expect(sent).toHaveLength(1);
    sent[0]?.answer();
    await first;
    expect((await read()).value).toBe('a');

    // A read goes out; then another instance changes a row and bumps the version; then ten calls
    // begin. The read under way was sent before the change: it must not answer them.
    const early = cache.revalidate();
    await settle();
    state.value = 'b';
    state.version = 'v2';
    const late = Array.from({ length: 10 }, () => cache.revalidate());
    await settle();
    expect(sent).toHaveLength(2); // the ten wait: nothing more is sent while a read is under way
    sent[1]?.answer();
    await early;
    await settle();
    expect(sent).toHaveLength(3); // one read for all ten, sent after the first was answered
    expect(sent[2]?.version).toBe('v2');
    sent[2]?.answer();
    await Promise.all(late);
    expect((await read()).value).toBe('b');
    expect(sent).toHaveLength(3);
  });
});
