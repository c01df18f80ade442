import { format } from 'node:util';
import { messageOf } from '../../src/domain/errors';
import type { LogLevelFilter } from './logLevels';

export type HostLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

/**
 * One log line as the Functions host records it (and sends it to Application Insights): from the
 * app's `context.log/info/warn/error/trace` or from the host itself. Only lines that pass host.json
 * `logging.logLevel` (logLevels.ts) reach the sink, as only those reach Application Insights.
 */
export interface HostLogRecord {
  readonly level: HostLogLevel;
  /** The host's category: `Function.<name>.User` for the app's lines, `Function.<name>`, `Host.…` for the host's. */
  readonly category: string;
  readonly functionName?: string;
  readonly invocationId?: string;
  readonly instanceId?: string;
  readonly message: string;
  readonly time: string;
}

export type HostLog = (record: HostLogRecord) => void;

export const jsonLinesToStdout: HostLog = (record) => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

const LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'information', 'warning', 'error', 'critical']);

export function toLogLevel(level: unknown): HostLogLevel {
  return typeof level === 'string' && LEVELS.has(level) ? (level as HostLogLevel) : 'information';
}

/** Host categories (azure-functions-host ScriptConstants / LogCategories). */
export const HOST_CATEGORY = {
  general: 'Host.General',
  startup: 'Host.Startup',
  durableTask: 'Host.Triggers.DurableTask',
  /** A function's start and end lines. */
  function: (functionName: string) => `Function.${functionName}`,
  /** The app's own lines through the invocation context (LogCategories.CreateFunctionUserCategory). */
  user: (functionName: string) => `Function.${functionName}.User`,
} as const;

type RecordFields = Partial<Pick<HostLogRecord, 'functionName' | 'invocationId' | 'instanceId' | 'category'>>;

/** The log handler of one invocation, and the moment it ends. */
export interface InvocationLog {
  readonly logHandler: (level: unknown, ...args: unknown[]) => void;
  /** After this the host has no invocation to attach a line to: later lines are dropped, as in Azure. */
  end(): void;
}

/** Writes host events; never throws (a broken log sink must not break an invocation). */
export class HostLogger {
  constructor(
    private readonly sink: HostLog,
    private readonly levels?: LogLevelFilter,
  ) {}

  write(level: HostLogLevel, message: string, fields: RecordFields = {}): void {
    const category =
      fields.category ??
      (fields.functionName === undefined ? HOST_CATEGORY.general : HOST_CATEGORY.function(fields.functionName));
    if (!this.isEnabled(category, level)) return;
    this.emit({ level, ...fields, category, message, time: new Date().toISOString() });
  }

  /** Whether a line of `category` at `level` reaches the sink (host.json logging.logLevel). */
  isEnabled(category: string, level: HostLogLevel): boolean {
    return this.levels === undefined || this.levels.isEnabled(category, level);
  }

  /**
   * The `logHandler` for an InvocationContext: the app's own lines under `Function.<name>.User`,
   * tagged with the invocation. The Functions host attaches a worker's line to its invocation only
   * while that runs (GrpcWorkerChannel.Log: "Ignoring RpcLog from invocation … because there is no
   * matching ScriptInvocationContext"); a line logged after the function returned is lost.
   */
  forInvocation(functionName: string, invocationId: string, instanceId?: string): InvocationLog {
    let ended = false;
    return {
      logHandler: (level, ...args) => {
        if (ended) {
          this.write(
            'debug',
            `Ignoring RpcLog from invocation '${invocationId}' because there is no matching ScriptInvocationContext.`,
          );
          return;
        }
        this.emit({
          level: toLogLevel(level),
          category: HOST_CATEGORY.user(functionName),
          functionName,
          invocationId,
          ...(instanceId === undefined ? {} : { instanceId }),
          message: format(...args),
          time: new Date().toISOString(),
        });
      },
      end: () => {
        ended = true;
      },
    };
  }

  private emit(record: HostLogRecord): void {
    if (this.levels !== undefined && !this.levels.isEnabled(record.category, record.level)) return;
    try {
      this.sink(record);
    } catch {
      // The sink is the caller's; ignore its failures.
    }
  }
}

/** The app's one error-to-message helper, uncut: the host's own diagnostics keep the whole message. */
export function errorMessage(error: unknown): string {
  return messageOf(error, Number.POSITIVE_INFINITY);
}

export function errorDetails(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return errorMessage(error);
}
