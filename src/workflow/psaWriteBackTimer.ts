import type { InvocationContext, Timer } from '@azure/functions';
import { runPsaWriteBacks } from '../app/psaWriteBack';
import { getServices } from '../composition';

/**
 * Every 5 seconds: the PSA write-back jobs that are due (one table query when there are none).
 * Short, so a note follows its lease event within seconds; each job carries its own back-off.
 */
export const PSA_WRITE_BACK_SCHEDULE = '*/5 * * * * *';

export async function psaWriteBackTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  try {
    await runPsaWriteBacks(getServices().deps);
  } catch (error) {
    // The jobs stay queued: the next run tries again.
    context.warn(
      JSON.stringify({ event: 'psa_writeback_run_failed', invocationId: context.invocationId, error: String(error) }),
    );
  }
}
