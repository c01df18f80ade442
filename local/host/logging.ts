import { format } from 'node:util';

export type HostLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

/** One structured log line: from `context.log/info/warn/error/trace` or from the host itself. */
export interface HostLogRecord {
  readonly level: HostLogLevel;
  /** `user` for the app's own context.log calls, `host` for the host's events. */
  readonly category: 'user' | 'host';
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

/** Writes host events; never throws (a broken log sink must not break an invocation). */
export class HostLogger {
  constructor(private readonly sink: HostLog) {}

  write(level: HostLogLevel, message: string, fields: Partial<Pick<HostLogRecord, 'functionName' | 'invocationId' | 'instanceId'>> = {}): void {
    this.emit({ level, category: 'host', ...fields, message, time: new Date().toISOString() });
  }

  /** The `logHandler` for an InvocationContext: the app's own lines, tagged with the invocation. */
  forInvocation(functionName: string, invocationId: string, instanceId?: string): (level: unknown, ...args: unknown[]) => void {
    return (level, ...args) => {
      this.emit({
        level: toLogLevel(level),
        category: 'user',
        functionName,
        invocationId,
        ...(instanceId === undefined ? {} : { instanceId }),
        message: format(...args),
        time: new Date().toISOString(),
      });
    };
  }

  private emit(record: HostLogRecord): void {
    try {
      this.sink(record);
    } catch {
      // The sink is the caller's; ignore its failures.
    }
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : format(error);
}

export function errorDetails(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return errorMessage(error);
}
