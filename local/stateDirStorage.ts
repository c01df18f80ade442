import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { adoptAzurite, startAzurite, type RunningAzurite } from './azurite';
import { isPortInUse, portHolder, portInUseMessage } from './ports';

/**
 * Azurite persisted under the state dir, in its own process group so a crash of `npm start` does
 * not take storage down with it; the next start adopts it. A clean stop stops it too.
 *
 * Only an Azurite that serves this state dir is adopted: at creation a random marker is written
 * both into Azurite (table JitLocalStack) and next to its data (`azurite.marker`); they must
 * match. An Azurite whose state dir was deleted, or that serves another one, is refused with a
 * message: running on it would put the task hub and the tables somewhere this state dir is not.
 */
export async function persistentAzurite(stateDir: string, port: number): Promise<RunningAzurite> {
  const pidFile = join(stateDir, 'azurite.pid');
  const markerFile = join(stateDir, 'azurite.marker');
  const recordedPid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  const marker = (await readFile(markerFile, 'utf8').catch(() => '')).trim();
  let azurite: RunningAzurite;
  if (await isPortInUse(port)) {
    const adopted = Number.isInteger(recordedPid) && recordedPid > 0 ? await adoptAzurite(port, recordedPid) : null;
    if (adopted === null || marker === '' || (await readMarker(adopted.connectionString)) !== marker) {
      const why =
        marker === ''
          ? `this state dir (${stateDir}) has no Azurite of its own (no azurite.marker): the state dir it served was deleted, or it serves another one`
          : `it does not hold this state dir's marker (${markerFile}): it serves another state dir`;
      throw new Error(`${portInUseMessage('AZURITE_TABLE_PORT', port, await portHolder(port))}. Not adopted: ${why}.`);
    }
    azurite = adopted;
  } else {
    azurite = await startAzurite({ port, location: join(stateDir, 'azurite'), detached: true });
    try {
      const written = marker === '' ? randomUUID() : marker;
      await writeMarker(azurite.connectionString, written);
      await writeFile(markerFile, written);
    } catch (error) {
      await azurite.stop();
      throw error;
    }
  }
  if (azurite.pid !== undefined) await writeFile(pidFile, String(azurite.pid));
  return {
    ...azurite,
    stop: async () => {
      await azurite.stop();
      await rm(pidFile, { force: true });
    },
  };
}

const MARKER_TABLE = 'JitLocalStack';
const MARKER_KEY = { partitionKey: 'stack', rowKey: 'stateDirMarker' } as const;

function markerTable(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, MARKER_TABLE, {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 1 },
  });
}

async function writeMarker(connectionString: string, marker: string): Promise<void> {
  const table = markerTable(connectionString);
  await table.createTable();
  await table.upsertEntity({ ...MARKER_KEY, marker }, 'Replace');
}

async function readMarker(connectionString: string): Promise<string | undefined> {
  try {
    const entity = await markerTable(connectionString).getEntity<{ marker?: unknown }>(
      MARKER_KEY.partitionKey,
      MARKER_KEY.rowKey,
    );
    return typeof entity.marker === 'string' ? entity.marker : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every few seconds, checks that the storage this stack runs on is still this state dir's: the
 * marker file is there and Azurite answers with the same marker. Lost twice in a row (a restart
 * of Azurite is not a loss), it is reported once: leases cannot make progress without storage,
 * and they must not hang in `provisioning` with nothing said.
 */
export function watchStorage(
  stateDir: string,
  azurite: RunningAzurite,
  onLost: (reason: string) => void,
): { stop(): void } {
  const intervalMs = Number(process.env.JIT_STORAGE_CHECK_INTERVAL_MS ?? 5_000);
  const markerFile = join(stateDir, 'azurite.marker');
  let failures = 0;
  let reported = false;
  const check = async (): Promise<void> => {
    const expected = (await readFile(markerFile, 'utf8').catch(() => '')).trim();
    const reason =
      expected === ''
        ? `the state dir ${stateDir} was deleted or emptied while running`
        : (await readMarker(azurite.connectionString)) !== expected
          ? `Azurite (${azurite.tableEndpoint}${azurite.pid !== undefined ? `, pid ${azurite.pid}` : ''}) stopped answering or no longer serves this state dir`
          : undefined;
    failures = reason === undefined ? 0 : failures + 1;
    if (reason !== undefined && failures >= 2 && !reported) {
      reported = true;
      onLost(
        `Entra JIT lost its storage: ${reason}. Leases cannot make progress; stop this stack (Ctrl-C) and start it again.`,
      );
    }
  };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void check().finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
