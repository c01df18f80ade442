import type { CoreHooks, FunctionRegistry } from './functionsCore';
import { errorDetails, type HostLogger } from './logging';

function hasHooks(registry: FunctionRegistry): registry is FunctionRegistry & CoreHooks {
  return typeof (registry as Partial<CoreHooks>).hooks === 'function';
}

/** Runs the app's `appStart` / `appTerminate` hooks as the worker does: a failing hook is logged, not fatal. */
export async function runAppHooks(
  registry: FunctionRegistry,
  name: 'appStart' | 'appTerminate',
  logger: HostLogger,
): Promise<void> {
  if (!hasHooks(registry)) return;
  for (const hook of registry.hooks(name)) {
    try {
      await hook({ hookData: {}, appHookData: registry.appHookData });
    } catch (error) {
      logger.write('error', `The ${name} hook failed: ${errorDetails(error)}`);
    }
  }
}
