import Module from 'node:module';

/**
 * Stands in for `@azure/functions-core`, the module the real Node.js worker injects. With it in
 * place, `@azure/functions` leaves "test mode" and every `app.http` / `app.timer` /
 * `df.app.orchestration` / `df.app.activity` call reaches `registerFunction` exactly as in Azure.
 */

export interface FunctionBinding {
  readonly type: string;
  readonly direction: 'in' | 'out';
  readonly [property: string]: unknown;
}

export interface FunctionMetadata {
  readonly name: string;
  /** Keyed by binding name, as the library builds it (`toCoreFunctionMetadata`). */
  readonly bindings: Readonly<Record<string, FunctionBinding>>;
  readonly retryOptions?: unknown;
}

export interface RegisteredFunction {
  readonly name: string;
  readonly metadata: FunctionMetadata;
  readonly handler: (...args: unknown[]) => unknown;
}

export interface FunctionRegistry {
  list(): RegisteredFunction[];
  get(name: string): RegisteredFunction | undefined;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: unknown) => unknown;

/** What the host can do beyond the public registry: run the app's lifecycle and invocation hooks. */
export interface CoreHooks {
  hooks(name: HookName): HookCallback[];
  /** The object every hook sees as `appHookData` (the worker keeps one per app). */
  readonly appHookData: Record<string, unknown>;
}

const CORE_MODULE_ID = '@azure/functions-core';
const GLOBAL_KEY = Symbol.for('entra-jit.local.functionsCore');

interface CoreState {
  readonly functions: Map<string, RegisteredFunction>;
  readonly hooks: Map<string, Set<HookCallback>>;
  readonly registry: FunctionRegistry & CoreHooks;
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;

function isTriggerType(type: string): boolean {
  return type.toLowerCase().endsWith('trigger');
}

function toMetadata(value: unknown): FunctionMetadata {
  if (typeof value !== 'object' || value === null) throw new TypeError('registerFunction: metadata must be an object');
  const record = value as Record<string, unknown>;
  const name = record.name;
  const bindings = record.bindings;
  if (typeof name !== 'string' || name === '')
    throw new TypeError('registerFunction: metadata.name must be a non-empty string');
  if (typeof bindings !== 'object' || bindings === null)
    throw new TypeError(`registerFunction: function "${name}" has no bindings`);
  const checked: Record<string, FunctionBinding> = {};
  for (const [bindingName, binding] of Object.entries(bindings)) {
    if (typeof binding !== 'object' || binding === null)
      throw new TypeError(`registerFunction: binding "${bindingName}" of "${name}" is not an object`);
    const b = binding as Record<string, unknown>;
    if (typeof b.type !== 'string' || (b.direction !== 'in' && b.direction !== 'out')) {
      throw new TypeError(`registerFunction: binding "${bindingName}" of "${name}" needs a type and a direction`);
    }
    checked[bindingName] = { ...b, type: b.type, direction: b.direction };
  }
  if (!Object.values(checked).some((b) => isTriggerType(b.type))) {
    throw new TypeError(`registerFunction: function "${name}" has no trigger binding`);
  }
  return { name, bindings: checked, retryOptions: record.retryOptions };
}

function createCoreState(): CoreState {
  const functions = new Map<string, RegisteredFunction>();
  const hooks = new Map<string, Set<HookCallback>>();
  const registry: FunctionRegistry & CoreHooks = {
    list: () => [...functions.values()],
    get: (name) =>
      functions.get(name) ?? [...functions.values()].find((f) => f.name.toLowerCase() === name.toLowerCase()),
    hooks: (name) => [...(hooks.get(name) ?? [])],
    appHookData: {},
  };
  return { functions, hooks, registry };
}

function createCoreModule(state: CoreState): Record<string, unknown> {
  return {
    version: '3.10.1-local',
    hostVersion: '4.1037.0-local',
    setProgrammingModel: (): void => {},
    getProgrammingModel: (): undefined => undefined,
    registerFunction: (metadata: unknown, handler: unknown): { dispose(): void } => {
      const checked = toMetadata(metadata);
      if (typeof handler !== 'function')
        throw new TypeError(`registerFunction: handler of "${checked.name}" is not a function`);
      if (state.functions.has(checked.name))
        throw new Error(`A function named "${checked.name}" is already registered`);
      state.functions.set(checked.name, {
        name: checked.name,
        metadata: checked,
        handler: handler as RegisteredFunction['handler'],
      });
      return { dispose: () => void state.functions.delete(checked.name) };
    },
    registerHook: (hookName: unknown, callback: unknown): { dispose(): void } => {
      if (typeof hookName !== 'string' || typeof callback !== 'function')
        throw new TypeError('registerHook: expected a name and a callback');
      const set = state.hooks.get(hookName) ?? new Set<HookCallback>();
      state.hooks.set(hookName, set);
      const cb = callback as HookCallback;
      set.add(cb);
      return { dispose: () => void set.delete(cb) };
    },
    log: (level: unknown, category: unknown, message: unknown): void => {
      if (level === 'debug' || level === 'trace') return;
      process.stderr.write(`[functions-core ${String(level)} ${String(category)}] ${String(message)}\n`);
    },
  };
}

/**
 * Makes `require('@azure/functions-core')` resolve to the local stand-in. Idempotent per process.
 * Must run before the app's first `app.*` call (the library looks the module up once, lazily).
 */
export function installFunctionsCore(): FunctionRegistry & CoreHooks {
  const holder = globalThis as unknown as Record<symbol, CoreState | undefined>;
  const existing = holder[GLOBAL_KEY];
  if (existing !== undefined) return existing.registry;
  const state = createCoreState();
  const core = createCoreModule(state);
  const moduleWithLoad = Module as unknown as { _load: ModuleLoad };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request: string, parent: unknown, isMain: boolean): unknown {
    if (request === CORE_MODULE_ID) return core;
    return originalLoad.call(this, request, parent, isMain);
  };
  holder[GLOBAL_KEY] = state;
  return state.registry;
}

/** The hooks of the app loaded into this process (none before installFunctionsCore). */
export function installedHooks(): CoreHooks | undefined {
  return (globalThis as unknown as Record<symbol, CoreState | undefined>)[GLOBAL_KEY]?.registry;
}

export function triggerBinding(fn: RegisteredFunction): { name: string; binding: FunctionBinding } {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (isTriggerType(binding.type)) return { name, binding };
  }
  throw new Error(`Function "${fn.name}" has no trigger binding`);
}

export function functionsWithTrigger(registry: FunctionRegistry, type: string): RegisteredFunction[] {
  return registry.list().filter((fn) => triggerBinding(fn).binding.type.toLowerCase() === type.toLowerCase());
}
