import { describe, expect, it } from 'vitest';
import { InstanceDispatcher } from '../../../local/durable/instanceDispatcher';

describe('the instance dispatcher', () => {
  it('keeps a kick that comes while a drain is settling (a terminate was once never processed)', async () => {
    let release: (more: boolean) => void = () => undefined;
    const first = new Promise<boolean>((resolve) => (release = resolve));
    let calls = 0;
    const dispatcher = new InstanceDispatcher(
      () => {
        calls += 1;
        return calls === 1 ? first : Promise.resolve(false);
      },
      () => undefined,
    );
    dispatcher.kick('i');
    // Runs right after the drain's own continuation: the drain has just seen an empty inbox and is
    // settling, so this kick finds it still draining (a message enqueued at that moment).
    void first.then(() => dispatcher.kick('i'));
    release(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(2);
    await dispatcher.close();
  });
});
