import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The host.json settings the local host honours, read as the Functions host reads them: from the
 * app root, each overridable by an app setting `AzureFunctionsJobHost__<path with __>` (e.g.
 * `AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions=50`).
 */
export interface DurableHostSettings {
  /** Activities one host instance runs at a time (host.json `extensions.durableTask`). */
  readonly maxConcurrentActivityFunctions: number;
}

const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 10;
const OVERRIDE = 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions';

const hostJsonSchema = z.object({
  extensions: z
    .object({
      durableTask: z.object({ maxConcurrentActivityFunctions: z.number().int().positive().optional() }).optional(),
    })
    .optional(),
});

export function durableHostSettings(
  appRoot: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): DurableHostSettings {
  let fromFile: number | undefined;
  let text: string | undefined;
  try {
    text = readFileSync(join(appRoot, 'host.json'), 'utf8');
  } catch {
    text = undefined; // no host.json: the defaults
  }
  if (text !== undefined) {
    const parsed = hostJsonSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`host.json: extensions.durableTask.maxConcurrentActivityFunctions must be a positive integer`);
    fromFile = parsed.data.extensions?.durableTask?.maxConcurrentActivityFunctions;
  }
  const override = env[OVERRIDE];
  if (override !== undefined && override !== '') {
    const value = Number(override);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${OVERRIDE} must be a positive integer, got '${override}'`);
    return { maxConcurrentActivityFunctions: value };
  }
  return { maxConcurrentActivityFunctions: fromFile ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES };
}

export const MAX_CONCURRENT_ACTIVITIES_SETTING = OVERRIDE;
