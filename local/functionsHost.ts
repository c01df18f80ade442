import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './ports';
import { durableClientBindingData } from './durable/clientBinding';
import { ManagementApi } from './durable/managementApi';
import { DurableRunner } from './durable/runner';
import { runAppHooks } from './host/appHooks';
import { functionsWithTrigger, type FunctionRegistry } from './host/functionsCore';
import { writePlain } from './host/httpAdapter';
import { durableHostSettings } from './host/hostJson';
import { HttpFunctions, ROUTE_PREFIX } from './host/httpFunctions';
import { assertHttpRegistrationsLoad } from './host/httpRouteRules';
import { hostLogLevels, type LogLevelFilter } from './host/logLevels';
import { errorDetails, HOST_CATEGORY, HostLogger, jsonLinesToStdout, type HostLogRecord } from './host/logging';
import { TimerTriggers } from './host/timerTriggers';
import { applyCors, assertCorsSettings, type CorsSettings } from './host/cors';

export type { HostLogRecord, HostLogLevel } from './host/logging';

export interface HostOptions {
  /** 0 picks a free port. The host binds 127.0.0.1 only. */
  readonly port: number;
  readonly registry: FunctionRegistry;
  /** Table Storage (Azurite) connection string for the Durable task hub. */
  readonly storageConnectionString: string;
  /** Letters and digits; the task hub's table names start with it. */
  readonly taskHub: string;
  /** Every context.log line and host event that passes `logLevels`. Default: JSON lines on stdout. */
  readonly log?: (line: HostLogRecord) => void;
  /** Which lines are kept, as in Application Insights. Default: host.json `logging.logLevel` (and its app-setting overrides). */
  readonly logLevels?: LogLevelFilter;
  /** Default: host.json `extensions.durableTask.maxConcurrentActivityFunctions` (or its app-setting override), else 10. */
  readonly maxActivityConcurrency?: number;
  /** How long close() waits for running activities before leaving them for the next start (default 10 s). */
  readonly shutdownGraceInMs?: number;
  /** The platform's CORS (siteConfig.cors): answered before any function runs. Default: none (as with no CORS configured). */
  readonly cors?: CorsSettings;
}

export interface RunningHost {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, stops timers, lets in-flight work settle (activities up to the grace period). */
  close(): Promise<void>;
}

/**
 * The local Functions host, composed of its parts (local/host: registrations, HTTP functions,
 * timer triggers, logging; local/durable: the runner and the management API): serves the
 * registered HTTP functions under `/api`, the Durable management API under
 * `/runtime/webhooks/durabletask`, runs timer triggers, orchestrations and activities. Loads
 * nothing itself: register the app (installFunctionsCore + require) first.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  // Before anything opens: a registration set the Functions host would not load never runs here.
  assertHttpRegistrationsLoad(functionsWithTrigger(options.registry, 'httpTrigger'), ROUTE_PREFIX);
  if (options.cors !== undefined) assertCorsSettings(options.cors, 'cors.allowedOrigins');
  const cors = options.cors;
  const logger = new HostLogger(options.log ?? jsonLinesToStdout, options.logLevels ?? hostLogLevels());
  let baseUrl = '';
  const durableClient = (): Record<string, unknown> => durableClientBindingData(baseUrl, options.taskHub);
  const runner = await DurableRunner.create({
    registry: options.registry,
    storageConnectionString: options.storageConnectionString,
    taskHub: options.taskHub,
    logger,
    durableClient,
    maxActivityConcurrency: options.maxActivityConcurrency ?? durableHostSettings().maxConcurrentActivityFunctions,
    ...(options.shutdownGraceInMs === undefined ? {} : { shutdownGraceInMs: options.shutdownGraceInMs }),
  });
  const http = new HttpFunctions({ registry: options.registry, logger, durableClient });
  const management = new ManagementApi({
    runner: async () => runner,
    baseUrl: () => baseUrl,
    taskHub: options.taskHub,
  });
  const timers = new TimerTriggers({ registry: options.registry, logger, durableClient });

  const inFlight = new Set<Promise<void>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const work = (async () => {
      if (cors !== undefined && applyCors(req, res, cors)) return;
      if (http.handles(url)) await http.serve(req, res, url);
      else if (management.handles(url)) await management.serve(req, res, url);
      else if (req.method === 'POST' && /^\/admin\/functions\/[^/]+$/.test(url.pathname)) {
        // Manual run of a non-HTTP function (timerTriggers.ts runNow): 202, or 404 for no such function.
        const name = decodeURIComponent(url.pathname.slice('/admin/functions/'.length));
        writePlain(res, timers.runNow(name) ? 202 : 404);
      } else if (url.pathname === '/' || url.pathname === '/admin/host/status')
        writePlain(res, 200, { 'content-type': 'application/json' }, JSON.stringify({ state: 'Running' }));
      else writePlain(res, 404);
    })().catch((error: unknown) => {
      logger.write('error', `Request ${req.method ?? ''} ${url.pathname} failed: ${errorDetails(error)}`);
      writePlain(res, 500);
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  server.requestTimeout = 0;
  const port = await listenOnLoopback(server, options.port);
  baseUrl = `http://127.0.0.1:${port}`;

  await runAppHooks(options.registry, 'appStart', logger);
  await runner.start();
  timers.start();
  logger.write(
    'information',
    `Functions host listening on ${baseUrl} (task hub '${options.taskHub}', ${options.registry.list().length} functions)`,
    { category: HOST_CATEGORY.startup },
  );

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    close: () => {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await timers.stop();
        await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await serverClosed;
        await runner.close();
        await runAppHooks(options.registry, 'appTerminate', logger);
        logger.write('information', 'Functions host stopped', { category: HOST_CATEGORY.startup });
      })();
      return closing;
    },
  };
}
