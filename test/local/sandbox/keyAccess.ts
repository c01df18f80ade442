import { readFile } from 'node:fs/promises';
import { sandboxStateSchema } from '../../../local/sandbox/directory';
import { loadKeyMaterial, type KeyMaterial } from '../../../local/sandbox/keys';

/** The sandbox's signing key, read from its state file: stands in for a managed identity's token issuer. */
export async function signingKeyFromStateFile(stateFile: string): Promise<KeyMaterial> {
  const state = sandboxStateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8')));
  return loadKeyMaterial(state.signingKey);
}
