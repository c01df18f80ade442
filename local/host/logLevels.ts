import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostLogLevel } from './logging';

/**
 * host.json `logging.logLevel`, applied as the Functions host applies it before anything reaches
 * Application Insights (Microsoft.Extensions.Logging's LoggerFilterConfigureOptions and
 * LoggerRuleSelector, dotnet/runtime):
 * - each key is a category prefix, compared ignoring case as plain text (`Function` also matches
 *   `Functions.X`), with at most one `*` wildcard; `default` is the rule for every category;
 * - the rule with the longest matching key wins; without one, `default`; without that, Information
 *   (the host's own floor for its categories, ScriptLoggingBuilderExtensions.AddDefaultWebJobsFilters);
 * - values are LogLevel names ignoring case (`None` silences); anything else stops the host with
 *   "Configuration value '<value>' is not supported.";
 * - app settings `AzureFunctionsJobHost__logging__logLevel__<category>` override host.json.
 * Categories the host uses: `Function.<name>.User` for the app's own context.log lines,
 * `Function.<name>` for "Executing/Executed", `Host.Function.Console` for a worker's stdout
 * (console.log), `Host.Triggers.DurableTask`, `Host.Results`, `Host.Aggregator`, `Host.General`.
 * https://learn.microsoft.com/azure/azure-functions/configure-monitoring#configure-categories
 */
export type FilterLevel = HostLogLevel | 'none';

const LEVELS: readonly FilterLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];
const LEVEL_RANK: Readonly<Record<FilterLevel, number>> = Object.fromEntries(LEVELS.map((l, i) => [l, i])) as Record<
  FilterLevel,
  number
>;
/** Categories remembered at most (a host has a few per function; past this the memory starts over). */
const REMEMBERED_CATEGORIES = 1_000;
const OVERRIDE_PREFIX = 'AzureFunctionsJobHost__logging__logLevel__';

interface Rule {
  /** undefined: the `default` rule. */
  readonly category: string | undefined;
  readonly level: FilterLevel;
}

export class LogConfigurationError extends Error {
  override readonly name = 'LogConfigurationError';
}

function parseLevel(value: string): FilterLevel {
  const level = LEVELS.find((l) => l === value.trim().toLowerCase());
  if (level === undefined) throw new LogConfigurationError(`Configuration value '${value}' is not supported.`);
  return level;
}

function matches(ruleCategory: string, category: string): boolean {
  const star = ruleCategory.indexOf('*');
  if (star !== -1 && ruleCategory.indexOf('*', star + 1) !== -1)
    throw new LogConfigurationError('Only one wildcard character is allowed in category name.');
  const prefix = (star === -1 ? ruleCategory : ruleCategory.slice(0, star)).toLowerCase();
  const suffix = (star === -1 ? '' : ruleCategory.slice(star + 1)).toLowerCase();
  const lower = category.toLowerCase();
  return lower.startsWith(prefix) && lower.endsWith(suffix);
}

export class LogLevelFilter {
  private readonly rules: readonly Rule[];
  /** The answer per category: the rules never change, and a host has few categories (a few per function). */
  private readonly minimumByCategory = new Map<string, FilterLevel>();

  /** `logLevel` as host.json spells it: `{ "default": "Warning", "Function": "Information" }`. */
  constructor(logLevel: Readonly<Record<string, string>>) {
    this.rules = Object.entries(logLevel)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => ({
        category: key.toLowerCase() === 'default' ? undefined : key,
        level: parseLevel(value),
      }));
    for (const rule of this.rules) if (rule.category !== undefined) matches(rule.category, '');
  }

  /** The lowest level a line of `category` must have to be kept. */
  minimumLevel(category: string): FilterLevel {
    let minimum = this.minimumByCategory.get(category);
    if (minimum === undefined) {
      minimum = this.selectMinimumLevel(category);
      if (this.minimumByCategory.size >= REMEMBERED_CATEGORIES) this.minimumByCategory.clear();
      this.minimumByCategory.set(category, minimum);
    }
    return minimum;
  }

  private selectMinimumLevel(category: string): FilterLevel {
    let best: Rule | undefined;
    for (const rule of this.rules) {
      if (rule.category !== undefined && !matches(rule.category, category)) continue;
      if (best?.category !== undefined && (rule.category === undefined || best.category.length > rule.category.length))
        continue;
      best = rule; // equally good: the later rule wins, as in LoggerRuleSelector
    }
    return best?.level ?? 'information';
  }

  isEnabled(category: string, level: HostLogLevel): boolean {
    const minimum = this.minimumLevel(category);
    return minimum !== 'none' && LEVEL_RANK[level] >= LEVEL_RANK[minimum];
  }
}

/** host.json's `logging.logLevel` under `appRoot`, with the app-setting overrides in `env`. */
export function hostLogLevels(appRoot: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): LogLevelFilter {
  const merged = new Map<string, [string, string]>();
  let text: string | undefined;
  try {
    text = readFileSync(join(appRoot, 'host.json'), 'utf8');
  } catch {
    text = undefined; // no host.json: the host's defaults
  }
  if (text !== undefined) {
    const logLevel = (JSON.parse(text) as { logging?: { logLevel?: unknown } }).logging?.logLevel;
    if (logLevel !== undefined && (typeof logLevel !== 'object' || logLevel === null))
      throw new LogConfigurationError('host.json: logging.logLevel must be an object of category: level');
    for (const [key, value] of Object.entries(logLevel ?? {})) {
      if (typeof value !== 'string')
        throw new LogConfigurationError(
          `host.json: logging.logLevel.${key} must be a level name such as "Information"`,
        );
      merged.set(key.toLowerCase(), [key, value]);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(OVERRIDE_PREFIX.toLowerCase())) continue;
    const key = name.slice(OVERRIDE_PREFIX.length);
    merged.set(key.toLowerCase(), [key, value]);
  }
  return new LogLevelFilter(Object.fromEntries(merged.values()));
}
