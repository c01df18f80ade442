import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, parseDurationToMs } from '../../src/domain/duration';

describe('ISO 8601 durations', () => {
  it.each([
    ['PT4H', 4 * 3600_000],
    ['PT30M', 30 * 60_000],
    ['PT45S', 45_000],
    ['P1D', 86_400_000],
    ['P1DT2H3M4S', 86_400_000 + 2 * 3600_000 + 3 * 60_000 + 4000],
  ])('parses %s', (text, ms) => {
    expect(parseDurationToMs(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1Y', 'P1M', '4H', 'PT-1H', 'PT0S', 'PT1.5H', 'P1DT', 'pt4h', ' PT4H'])(
    'refuses %j',
    (text) => {
      expect(parseDurationToMs(text)).toBeNull();
      expect(durationSchema.safeParse(text).success).toBe(false);
    },
  );

  it('formats the shortest canonical form and round-trips', () => {
    expect(formatDuration(14_400_000)).toBe('PT4H');
    expect(formatDuration(90_000)).toBe('PT1M30S');
    expect(formatDuration(86_400_000 + 1000)).toBe('P1DT1S');
    for (const text of ['PT4H', 'PT30M', 'P7D', 'PT8H', 'PT30S'])
      expect(formatDuration(parseDurationToMs(text) ?? 0)).toBe(text);
  });

  it('refuses to format a non-positive duration', () => {
    expect(() => formatDuration(0)).toThrow(RangeError);
  });
});
