import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { azuriteConnectionString } from '../../local/azurite';
import { testEnv } from './env';

/**
 * Storage accounts the run's one Azurite serves (test/globalSetup.ts), one per whole stack: a stack
 * keeps the app's own table names ('jitRequests', …) yet sees no other file's rows, as if it had an
 * Azurite of its own (each of those cost about a second of start-up and a process).
 */
export const STACK_ACCOUNTS = 200;

export function stackAccountName(index: number): string {
  return `jitstack${index}`;
}

/**
 * The connection string of an account no other stack of this run has claimed. Workers are separate
 * processes: the claim is a file created exclusively ('wx') in the run's directory.
 */
export async function claimStackAccount(): Promise<string> {
  const port = Number(testEnv('JIT_TEST_AZURITE_PORT'));
  for (let index = 0; index < STACK_ACCOUNTS; index++) {
    try {
      const claim = await open(join(testEnv('JIT_TEST_DIR'), `account-${index}.claim`), 'wx');
      await claim.close();
      return azuriteConnectionString(port, stackAccountName(index));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(
    `all ${STACK_ACCOUNTS} stack accounts of this run are taken: raise STACK_ACCOUNTS in test/support/stackAccounts.ts`,
  );
}
