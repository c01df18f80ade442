import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvocationContext } from '@azure/functions';

/**
 * The app's structured log lines (the alert rules and the workbook in infra/ read them; the
 * contract is docs/deploy.md "Log contract"). Inside an invocation a line goes through that
 * invocation's context, so the Functions host records it under `Function.<name>.User`, which
 * host.json keeps at Information, with the invocation's id. A Node.js worker's console output is
 * recorded under `Host.Function.Console` instead, which host.json's `default: Warning` drops below
 * warnings: that is where lease_activated, lease_ended and audit_anchor used to disappear.
 */
export type LogLevel = 'info' | 'warn' | 'error';

const current = new AsyncLocalStorage<InvocationContext>();

/** Runs `work` with `context` as the invocation its structured lines belong to. */
export function withInvocationLog<T>(context: InvocationContext, work: () => T): T {
  return current.run(context, work);
}

/** One JSON line per event (`event` plus fields, never a secret). */
export function structuredLog(level: LogLevel, event: string, fields: Readonly<Record<string, unknown>>): void {
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  const context = current.getStore();
  if (context !== undefined) {
    context[level](line);
    return;
  }
  // Outside any invocation (start-up, scripts, tests calling a use case directly): stdout/stderr.
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
