import { describe, expect, it } from 'vitest';
import { parseNcrontab, parseSchedule, resolveAppSettings } from '../../../local/host/ncrontab';

const at = (iso: string): Date => new Date(iso);

describe('NCRONTAB schedules', () => {
  it('steps, lists and ranges with seconds', () => {
    expect(parseNcrontab('0 */5 * * * *').next(at('2024-05-01T10:02:30Z')).toISOString()).toBe(
      '2024-05-01T10:05:00.000Z',
    );
    expect(parseNcrontab('30 0,30 9-17 * * *').next(at('2024-05-01T17:30:30Z')).toISOString()).toBe(
      '2024-05-02T09:00:30.000Z',
    );
    expect(parseNcrontab('*/10 * * * * *').next(at('2024-05-01T10:00:05Z')).toISOString()).toBe(
      '2024-05-01T10:00:10.000Z',
    );
  });

  it('days of week, months and names', () => {
    expect(parseNcrontab('0 0 8 * * Mon').next(at('2024-05-01T00:00:00Z')).toISOString()).toBe(
      '2024-05-06T08:00:00.000Z',
    );
    expect(parseNcrontab('0 0 0 1 Jan *').next(at('2024-05-01T00:00:00Z')).toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });

  it('is strictly after the given time, accepts five fields and TimeSpan intervals', () => {
    expect(parseNcrontab('0 0 * * * *').next(at('2024-05-01T10:00:00Z')).toISOString()).toBe(
      '2024-05-01T11:00:00.000Z',
    );
    expect(parseNcrontab('*/15 * * * *').next(at('2024-05-01T10:01:00Z')).toISOString()).toBe(
      '2024-05-01T10:15:00.000Z',
    );
    expect(parseSchedule('00:05:00').next(at('2024-05-01T10:01:00Z')).toISOString()).toBe('2024-05-01T10:06:00.000Z');
  });

  it('rejects bad expressions and resolves %SETTING%', () => {
    expect(() => parseNcrontab('0 61 * * * *')).toThrow(/minute/);
    expect(() => parseNcrontab('* * *')).toThrow(/6 fields/);
    expect(resolveAppSettings('%A% x', { A: '0 * * * * *' })).toBe('0 * * * * * x');
    expect(() => resolveAppSettings('%MISSING%', {})).toThrow(/MISSING/);
  });
});
