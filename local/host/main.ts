import { resolve } from 'node:path';
import { parseCorsOrigins } from './cors';
import { installFunctionsCore } from './functionsCore';
import { startHost } from './host';

/** Process entry: loads the compiled function app and serves it (see DESIGN.md §6). */
async function main(): Promise<void> {
  const registry = installFunctionsCore();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(resolve(process.env.JIT_FUNCTIONS_ENTRY ?? 'dist/functions/index.js'));
  const storageConnectionString = process.env.AzureWebJobsStorage;
  if (storageConnectionString === undefined || storageConnectionString === '')
    throw new Error('AzureWebJobsStorage is not set: the Durable task hub needs a Table Storage connection string');
  const concurrency = process.env.JIT_MAX_ACTIVITY_CONCURRENCY;
  // The platform's CORS, as local.settings.json `Host.CORS` (comma-separated exact origins).
  const cors = parseCorsOrigins(process.env.JIT_LOCAL_CORS_ORIGINS, 'JIT_LOCAL_CORS_ORIGINS');
  const host = await startHost({
    port: Number(process.env.JIT_API_PORT ?? 7071),
    registry,
    storageConnectionString,
    taskHub: process.env.JIT_TASK_HUB ?? 'jit',
    ...(concurrency === undefined ? {} : { maxActivityConcurrency: Number(concurrency) }),
    ...(cors === undefined ? {} : { cors }),
  });
  console.log(`Functions host listening on ${host.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
