import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sandboxStateSchema, seededState, type SandboxState } from './directory';
import { loadKeyMaterial, newSigningKey, untrustedKeyMaterial, type KeyMaterial } from './keys';
import { Faults } from './faults';

/**
 * Everything one running sandbox holds: the state (persisted to the state file after every change
 * when one is given), the faults in force (never persisted) and the key material.
 */
export class SandboxStore {
  private constructor(
    public state: SandboxState,
    public readonly keys: KeyMaterial,
    public readonly untrustedKeys: KeyMaterial,
    public readonly faults: Faults,
    private readonly stateFile: string | undefined,
    public url = '',
  ) {}

  static async open(stateFile: string | undefined): Promise<SandboxStore> {
    let state: SandboxState | undefined;
    if (stateFile !== undefined && existsSync(stateFile)) {
      const parsed = sandboxStateSchema.safeParse(JSON.parse(readFileSync(stateFile, 'utf8')));
      if (!parsed.success) throw new Error(`sandbox state file ${stateFile} is not valid: ${parsed.error.message}`);
      state = parsed.data;
    }
    state ??= seededState(await newSigningKey());
    const store = new SandboxStore(
      state,
      await loadKeyMaterial(state.signingKey),
      await untrustedKeyMaterial(),
      new Faults(),
      stateFile,
    );
    store.save();
    return store;
  }

  /** Back to the seed: directory, vault, counters and faults; the signing key stays. */
  reset(): void {
    this.state = seededState(this.state.signingKey);
    this.faults.clear();
    this.save();
  }

  save(): void {
    if (this.stateFile === undefined) return;
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, this.stateFile);
  }
}
