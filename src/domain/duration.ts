import { z } from 'zod';

/**
 * ISO 8601 durations as Graph's PIM API uses them (`PT4H`, `PT30M`, `PT45S`, `P1D`). Years and
 * months are refused: their length depends on the calendar and a lease must have an exact length.
 */
const DURATION_PATTERN = /^P(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$/;

export function parseDurationToMs(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return null;
  const [, days, hours, minutes, seconds] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Number(seconds ?? 0) * 1000;
  return ms > 0 ? ms : null;
}

/** Shortest canonical form: 14_400_000 → "PT4H", 90_000 → "PT1M30S", 86_400_000 → "P1D". */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0)
    throw new RangeError('a duration must be a positive whole number of milliseconds');
  let seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** A positive ISO 8601 duration (days to seconds), kept as its text. */
export const durationSchema = z.string().refine((t) => parseDurationToMs(t) !== null, {
  message: 'must be a positive ISO 8601 duration such as PT4H, PT30M or P1D',
});

export function durationMs(text: string): number {
  const ms = parseDurationToMs(text);
  if (ms === null) throw new RangeError(`not a positive ISO 8601 duration: ${text}`);
  return ms;
}

export const MAX_LEASE_DURATION = 'P7D';
