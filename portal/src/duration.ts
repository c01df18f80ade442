/**
 * ISO 8601 durations as the API speaks them (PT4H, P1DT30M, PT30S): to seconds, to words, and the
 * choices of the Duration picker between a target's minimum and maximum.
 */
const PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function durationSeconds(iso: string): number {
  const match = PATTERN.exec(iso);
  if (!match || iso === 'P' || iso.endsWith('T')) throw new Error(`not an ISO 8601 duration: ${iso}`);
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return Number(d) * 86_400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
}

export function isoDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const d = Math.floor(whole / 86_400);
  const h = Math.floor((whole % 86_400) / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  if (!d && !time) return 'PT0S';
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

export function durationWords(secondsOrIso: number | string): string {
  const total =
    typeof secondsOrIso === 'string' ? durationSeconds(secondsOrIso) : Math.max(0, Math.round(secondsOrIso));
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = total;
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.length === 0 ? '0 seconds' : parts.slice(0, 2).join(' ');
}

/** A running countdown: 1:05:09 or 4:59. */
export function countdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

const STEPS = [30, 60, 300, 900, 1800, 3600, 7200, 4 * 3600, 8 * 3600, 12 * 3600, 86_400, 2 * 86_400, 7 * 86_400];

/** The picker's choices, in seconds: the minimum, the usual steps within bounds, the default and the maximum. */
export function durationChoices(minIso: string, maxIso: string, defaultIso: string): number[] {
  const min = durationSeconds(minIso);
  const max = durationSeconds(maxIso);
  const chosen = new Set<number>([min, max, Math.min(max, Math.max(min, durationSeconds(defaultIso)))]);
  for (const step of STEPS) if (step > min && step < max) chosen.add(step);
  return [...chosen].sort((a, b) => a - b);
}
