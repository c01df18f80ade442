import { randomUUID } from 'node:crypto';
import { InvocationContext, type FunctionInput, type FunctionOutput, type FunctionTrigger } from '@azure/functions';
import { triggerBinding, type RegisteredFunction } from './functionsCore';
import type { HostLogger, InvocationLog } from './logging';

/** Supplies the data the Durable extension puts into a `durableClient` input binding. */
export type DurableClientBindingData = () => Record<string, unknown>;

export interface InvocationOptions {
  readonly logger: HostLogger;
  readonly durableClient?: DurableClientBindingData;
  readonly invocationId?: string;
  /** Tags log lines of orchestrations and activities with their instance. */
  readonly instanceId?: string;
}

const invocationLogs = new WeakMap<InvocationContext, InvocationLog>();

/** The invocation is over for the host: lines its context logs from now on are dropped. */
export function endInvocation(context: InvocationContext): void {
  invocationLogs.get(context)?.end();
}

const DURABLE_CLIENT_TYPES: ReadonlySet<string> = new Set(['durableclient', 'orchestrationclient']);

/**
 * Builds the InvocationContext the worker would build (`fromRpcBindings`): the function's trigger,
 * return and extra bindings as options, and the values of supported extra inputs.
 */
export function createInvocationContext(fn: RegisteredFunction, options: InvocationOptions): InvocationContext {
  const invocationId = options.invocationId ?? randomUUID();
  const trigger = triggerBinding(fn);
  let returnBinding: FunctionOutput | undefined;
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (name === trigger.name) continue;
    const withName = { ...binding, name };
    if (name === '$return') returnBinding = withName;
    else if (binding.direction === 'in') extraInputs.push(withName);
    else extraOutputs.push(withName);
  }
  const log = options.logger.forInvocation(fn.name, invocationId, options.instanceId);
  const context = new InvocationContext({
    invocationId,
    functionName: fn.name,
    logHandler: log.logHandler,
    options: {
      trigger: { ...trigger.binding, name: trigger.name } satisfies FunctionTrigger,
      return: returnBinding,
      extraInputs,
      extraOutputs,
    },
  });
  invocationLogs.set(context, log);
  for (const input of extraInputs) {
    if (DURABLE_CLIENT_TYPES.has(input.type.toLowerCase())) {
      if (options.durableClient === undefined)
        throw new Error(`Function "${fn.name}" needs a durable client, but the host has no Durable runner`);
      context.extraInputs.set(input, options.durableClient());
    } else {
      options.logger.write(
        'warning',
        `Input binding "${input.name}" of type "${input.type}" is not supported by the local host; it stays undefined`,
        {
          functionName: fn.name,
          invocationId,
        },
      );
    }
  }
  return context;
}
