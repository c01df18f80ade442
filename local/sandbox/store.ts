import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { applySeedSettings, sandboxStateSchema, seededState, type SandboxState, type SeedSettings } from './directory';
import { loadKeyMaterial, newSigningKey, untrustedKeyMaterial, type KeyMaterial } from './keys';
import { Faults } from './faults';
import { SignIns } from './signIns';

/**
 * Everything one running sandbox holds: the state (persisted to the state file after every change
 * when one is given), the faults in force and the users' sign-ins (codes, refresh tokens: never
 * persisted) and the key material.
 */
export class SandboxStore {
  private constructor(
    public state: SandboxState,
    public readonly keys: KeyMaterial,
    public readonly untrustedKeys: KeyMaterial,
    public readonly faults: Faults,
    private readonly stateFile: string | undefined,
    private readonly settings: SeedSettings,
    public readonly signIns: SignIns,
    public url = '',
  ) {}

  static async open(
    stateFile: string | undefined,
    settings: SeedSettings = {},
    signIns = new SignIns(),
  ): Promise<SandboxStore> {
    let state: SandboxState | undefined;
    if (stateFile !== undefined && existsSync(stateFile)) {
      const parsed = sandboxStateSchema.safeParse(JSON.parse(readFileSync(stateFile, 'utf8')));
      if (!parsed.success) throw new Error(`sandbox state file ${stateFile} is not valid: ${parsed.error.message}`);
      state = parsed.data;
    }
    if (state !== undefined) applySeedSettings(state, settings);
    state ??= seededState(await newSigningKey(), settings);
    const store = new SandboxStore(
      state,
      await loadKeyMaterial(state.signingKey),
      await untrustedKeyMaterial(),
      new Faults(),
      stateFile,
      settings,
      signIns,
    );
    store.save();
    return store;
  }

  /** Back to the seed: directory, vault, counters, faults and sign-ins; the signing key and settings stay. */
  reset(): void {
    this.state = seededState(this.state.signingKey, this.settings);
    this.faults.clear();
    this.signIns.clear();
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
