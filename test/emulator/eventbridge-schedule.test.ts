import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../local/eventbridge/schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('schedule expressions', () => {
  it('fires rate schedules every period from when they started', () => {
    const next = compileSchedule('rate(5 minutes)', at('2026-03-01T10:02:00Z'));
    expect(iso(next(at('2026-03-01T10:02:00Z')))).toBe('2026-03-01T10:07:00.000Z');
    expect(iso(next(at('2026-03-01T10:30:00Z')))).toBe('2026-03-01T10:32:00.000Z');
    expect(iso(compileSchedule('rate(1 day)', 0)(at('1970-01-01T00:00:00Z')))).toBe('1970-01-02T00:00:00.000Z');
  });

  it('fires cron schedules at the next matching UTC minute', () => {
    const daily = compileSchedule('cron(0 9 * * ? *)', 0);
    expect(iso(daily(at('2026-03-01T08:59:30Z')))).toBe('2026-03-01T09:00:00.000Z');
    expect(iso(daily(at('2026-03-01T09:00:00Z')))).toBe('2026-03-02T09:00:00.000Z');
    // weekdays at 08:15 (2026-03-07 is a Saturday)
    const weekdays = compileSchedule('cron(15 8 ? * MON-FRI *)', 0);
    expect(iso(weekdays(at('2026-03-07T00:00:00Z')))).toBe('2026-03-09T08:15:00.000Z');
    const quarterly = compileSchedule('cron(0/30 0 1 JAN,APR,JUL,OCT ? 2026-2027)', 0);
    expect(iso(quarterly(at('2026-01-01T00:10:00Z')))).toBe('2026-01-01T00:30:00.000Z');
    expect(iso(quarterly(at('2026-01-01T00:30:00Z')))).toBe('2026-04-01T00:00:00.000Z');
  });

  it('rejects what it cannot run', () => {
    expect(() => compileSchedule('every day', 0)).toThrow(/neither rate/);
    expect(() => compileSchedule('cron(0 9 * *)', 0)).toThrow(/six fields/);
    expect(() => compileSchedule('cron(0 9 L * ? *)', 0)).toThrow(/not supported/);
    expect(() => compileSchedule('cron(0 9 ? * 2#1 *)', 0)).toThrow(/not supported/);
    expect(() => compileSchedule('cron(61 9 * * ? *)', 0)).toThrow(/0-59/);
  });
});
