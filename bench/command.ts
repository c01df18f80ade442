import type { z } from 'zod';
import type { HostLogRecord } from '../local/functionsHost';
import { freePort } from '../local/ports';
import { startStack, type RunningStack } from '../local/stack';
import { runTrustingTheCa } from './trustingTheCa';

/**
 * One benchmark command: `--flag value` / `--flag=value` arguments (flags in kebab-case, read as the
 * schema's camelCase keys; `booleanFlags` take no value), parsed by the schema with errors that name
 * the flag; `--help` prints the usage. The benchmark runs in a process trusting the sandbox's CA.
 */
export function runBenchCommand<S extends z.ZodType>(command: {
  readonly schema: S;
  readonly usage: string;
  readonly booleanFlags?: readonly string[];
  readonly run: (options: z.infer<S>, tlsDir: string) => Promise<void>;
}): void {
  const main = async (): Promise<void> => {
    const options = parseFlags(command, process.argv.slice(2));
    if (options === 'help') {
      console.log(command.usage);
      return;
    }
    await runTrustingTheCa((tlsDir) => command.run(options, tlsDir));
  };
  main().catch((error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  });
}

export function parseFlags<S extends z.ZodType>(
  command: { readonly schema: S; readonly usage: string; readonly booleanFlags?: readonly string[] },
  argv: readonly string[],
): z.infer<S> | 'help' {
  const { usage } = command;
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'\n${usage}`);
    const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (command.booleanFlags?.includes(key)) {
      raw[key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${flag} needs a value\n${usage}`);
    raw[key] = value;
  }
  const parsed = command.schema.safeParse(raw);
  if (!parsed.success) {
    const flagOf = (key: PropertyKey | undefined): string =>
      String(key ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new Error(`${parsed.error.issues.map((i) => `--${flagOf(i.path[0])}: ${i.message}`).join('; ')}\n${usage}`);
  }
  return parsed.data;
}

/** Progress goes to stderr, so stdout carries only the report. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * The local stack for a benchmark: the app, the local host and Durable runner in this process, the
 * sandbox in a child process of its own and Azurite (in memory) in another, so that this process's
 * CPU and memory are the app's (bench/README.md); ephemeral ports, state in `stateDir`.
 */
export async function startBenchStack(options: {
  readonly stateDir: string;
  readonly tlsDir: string;
  readonly taskHub: string;
  readonly seedDemo: boolean;
  readonly log: (line: HostLogRecord) => void;
}): Promise<RunningStack> {
  return startStack({
    apiPort: await freePort(),
    sandboxPort: await freePort(),
    tablePort: await freePort(),
    persist: false,
    sandboxInChildProcess: true,
    ...options,
  });
}
