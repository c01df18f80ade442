/**
 * NCRONTAB schedules as the Functions timer trigger reads them: six fields
 * `{second} {minute} {hour} {day} {month} {day-of-week}` (five fields get second 0), each `*`, a
 * value, a range `a-b`, a list `a,b`, or a step `* /n` / `a-b/n` (without the space); month and
 * day names (`Jan`, `Mon`) are accepted. Times are UTC. Day-of-month and day-of-week must both
 * match (NCrontab's rule).
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

export class CronSyntaxError extends Error {
  constructor(expression: string, detail: string) {
    super(`Invalid NCRONTAB expression "${expression}": ${detail}`);
    this.name = 'CronSyntaxError';
  }
}

export interface CronSchedule {
  readonly expression: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = index >= 0 ? index + (spec.name === 'month' ? 1 : 0) : Number(text);
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new CronSyntaxError(expression, `"${text}" is not a valid ${spec.name} (${spec.min}-${spec.max})`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronSyntaxError(expression, `bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.name === 'day-of-week' ? 6 : spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = parseValue(a, spec, expression);
      to = parseValue(b, spec, expression);
      if (to < from) throw new CronSyntaxError(expression, `range "${range}" runs backwards`);
    } else {
      from = parseValue(range, spec, expression);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return values;
}

export function parseNcrontab(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length === 5) fields.unshift('0');
  if (fields.length !== 6) throw new CronSyntaxError(expression, `expected 6 fields, got ${fields.length}`);
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) =>
    parseField(fields[i] ?? '', spec, expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return {
    expression,
    next(after: Date): Date {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
      while (t.getTime() <= limit) {
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else if (!seconds.has(t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
        } else {
          return new Date(t.getTime());
        }
      }
      throw new CronSyntaxError(expression, 'it never fires');
    },
  };
}

/** The `hh:mm:ss` / `d.hh:mm:ss` TimeSpan form the timer trigger also accepts: a fixed interval. */
export function parseTimeSpanSchedule(expression: string): CronSchedule | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expression.trim());
  if (match === null) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  const intervalMs = (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
  if (intervalMs <= 0) throw new CronSyntaxError(expression, 'the interval must be positive');
  return { expression, next: (after) => new Date(after.getTime() + intervalMs) };
}

/** Resolves `%SETTING%` placeholders from the environment, as the host does for binding expressions. */
export function resolveAppSettings(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`App setting "${name}" (used as %${name}%) is not set`);
    return value;
  });
}

export function parseSchedule(expression: string): CronSchedule {
  return parseTimeSpanSchedule(expression) ?? parseNcrontab(expression);
}
