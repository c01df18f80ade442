import type { InvocationContext } from '@azure/functions';
import { installedHooks, type RegisteredFunction } from './functionsCore';
import { endInvocation } from './invocation';

/**
 * Calls a function as the Node.js worker does (azure-functions-nodejs-worker InvocationHandler):
 * the app's `preInvocation` hooks first (they may replace the inputs or the handler), then
 * `handler(...inputs, context)`, then the `postInvocation` hooks (they may replace the result or the
 * error); then the invocation ends for the host, and its context's later log lines are dropped.
 */
export async function invokeFunction(
  fn: RegisteredFunction,
  context: InvocationContext,
  inputs: readonly unknown[],
): Promise<unknown> {
  const hooks = installedHooks();
  const hookData: Record<string, unknown> = {};
  const appHookData = hooks?.appHookData ?? {};
  try {
    const pre = {
      hookData,
      appHookData,
      invocationContext: context,
      functionCallback: fn.handler,
      inputs: [...inputs],
    };
    for (const hook of hooks?.hooks('preInvocation') ?? []) await hook(pre);
    const post: {
      hookData: object;
      appHookData: object;
      invocationContext: InvocationContext;
      inputs: unknown[];
      result: unknown;
      error: unknown;
    } = {
      hookData,
      appHookData,
      invocationContext: context,
      inputs: pre.inputs,
      result: null,
      error: null,
    };
    try {
      post.result = await pre.functionCallback(...pre.inputs, context);
    } catch (error) {
      post.error = error;
    }
    for (const hook of hooks?.hooks('postInvocation') ?? []) await hook(post);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the function's own error, whatever it threw, as the worker rethrows it
    if (post.error !== null && post.error !== undefined) throw post.error;
    return post.result;
  } finally {
    endInvocation(context);
  }
}
