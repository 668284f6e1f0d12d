import { describe, expect, it } from 'vitest';
import {
  BusinessCalendarSchema,
  BusinessDurationSchema,
  DEFAULT_CALENDAR,
  formatBusinessDuration,
  type BusinessCalendar,
  type BusinessDuration,
} from '../../schemas/calendar';
import {
  addBusinessDuration,
  addLocalDays,
  getLocalDate,
  getZonedParts,
  isWithinWorkingTime,
  nextWorkingTimeStart,
  zonedTimeToInstant,
} from '../../functions/rules/business-time';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const TOKYO = 'Asia/Tokyo';
const AUCKLAND = 'Pacific/Auckland';

// 2026: 12 June is a Friday; EU clocks go forward on Sun 29 March and back on Sun 25 October (01:00Z).
const add = (startIso: string, amount: number, unit: BusinessDuration['unit'], timeZone = BERLIN, calendar: BusinessCalendar = DEFAULT_CALENDAR) =>
  addBusinessDuration(new Date(startIso), { amount, unit }, calendar, timeZone).toISOString();
const next = (atIso: string, timeZone = BERLIN, calendar: BusinessCalendar = DEFAULT_CALENDAR) =>
  nextWorkingTimeStart(new Date(atIso), calendar, timeZone).toISOString();
const within = (atIso: string, timeZone = BERLIN, calendar: BusinessCalendar = DEFAULT_CALENDAR) =>
  isWithinWorkingTime(new Date(atIso), calendar, timeZone);

const calendar = (overrides: Partial<BusinessCalendar>): BusinessCalendar => ({ ...DEFAULT_CALENDAR, id: 'test', name: 'Test', ...overrides });
/** every day 00:00-06:00, to put working time across the 02:00/03:00 DST changes */
const NIGHT_SHIFT = calendar({ workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], workingHours: { start: '00:00', end: '06:00' } });

const issuesOf = (input: unknown) =>
  BusinessCalendarSchema.safeParse(input).error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

describe('the required examples', () => {
  it('a Friday-evening request due in 1 working day escalates on Monday evening, not Saturday (Europe/Berlin)', () => {
    // Friday 12 June 2026, 18:00 CEST: after hours
    expect(add('2026-06-12T16:00:00Z', 1, 'workingDays')).toBe('2026-06-15T15:00:00.000Z'); // Monday 17:00 CEST
    // and the same as a full working day of working hours
    expect(add('2026-06-12T16:00:00Z', 8, 'workingHours')).toBe('2026-06-15T15:00:00.000Z');
  });

  it('a nurture wait that ends Saturday 03:00 in the lead zone sends Monday at the window start (America/New_York)', () => {
    // Wednesday 10 June 2026, 03:00 EDT, wait 3 days: Saturday 13 June 03:00 EDT
    const waitEnds = add('2026-06-10T07:00:00Z', 3, 'days', NEW_YORK);
    expect(waitEnds).toBe('2026-06-13T07:00:00.000Z');
    expect(within(waitEnds, NEW_YORK)).toBe(false);
    expect(next(waitEnds, NEW_YORK)).toBe('2026-06-15T13:00:00.000Z'); // Monday 09:00 EDT
  });
});

describe('working days', () => {
  it('keep the time of day when the start is inside working hours', () => {
    expect(add('2026-06-15T08:30:00Z', 1, 'workingDays')).toBe('2026-06-16T08:30:00.000Z'); // Mon 10:30 -> Tue 10:30
    expect(add('2026-06-15T08:30:00Z', 5, 'workingDays')).toBe('2026-06-22T08:30:00.000Z'); // -> next Mon 10:30
    expect(add('2026-06-12T14:59:00Z', 1, 'workingDays')).toBe('2026-06-15T14:59:00.000Z'); // Fri 16:59 -> Mon 16:59
  });

  it('end at the close of business when the start is at or before the opening', () => {
    expect(add('2026-06-15T07:00:00Z', 1, 'workingDays')).toBe('2026-06-15T15:00:00.000Z'); // Mon 09:00 -> Mon 17:00
    expect(add('2026-06-15T05:00:00Z', 1, 'workingDays')).toBe('2026-06-15T15:00:00.000Z'); // Mon 07:00 -> Mon 17:00
    expect(add('2026-06-15T05:00:00Z', 2, 'workingDays')).toBe('2026-06-16T15:00:00.000Z'); // Mon 07:00 -> Tue 17:00
  });

  it('count the next day whole when the start is at or after the close', () => {
    expect(add('2026-06-15T15:00:00Z', 1, 'workingDays')).toBe('2026-06-16T15:00:00.000Z'); // Mon 17:00 -> Tue 17:00
    expect(add('2026-06-15T20:00:00Z', 1, 'workingDays')).toBe('2026-06-16T15:00:00.000Z'); // Mon 22:00 -> Tue 17:00
  });

  it('start a weekend request on Monday', () => {
    expect(add('2026-06-13T09:00:00Z', 1, 'workingDays')).toBe('2026-06-15T15:00:00.000Z'); // Sat 11:00 -> Mon 17:00
    expect(add('2026-06-14T21:00:00Z', 3, 'workingDays')).toBe('2026-06-17T15:00:00.000Z'); // Sun 23:00 -> Wed 17:00
  });

  it('skip holidays: a holiday Monday pushes to Tuesday', () => {
    const easter = calendar({ holidays: ['2026-04-06'] }); // Easter Monday
    expect(add('2026-04-03T16:00:00Z', 1, 'workingDays', BERLIN, easter)).toBe('2026-04-07T15:00:00.000Z'); // Fri 18:00 -> Tue 17:00
    expect(add('2026-04-03T08:00:00Z', 1, 'workingDays', BERLIN, easter)).toBe('2026-04-07T08:00:00.000Z'); // Fri 10:00 -> Tue 10:00
    expect(next('2026-04-04T10:00:00Z', BERLIN, easter)).toBe('2026-04-07T07:00:00.000Z'); // Sat -> Tue 09:00
    expect(within('2026-04-06T10:00:00Z', BERLIN, easter)).toBe(false);
    expect(add('2026-04-03T14:00:00Z', 2, 'workingHours', BERLIN, easter)).toBe('2026-04-07T08:00:00.000Z'); // Fri 16:00 -> Tue 10:00
  });

  it('keep the local time of day across a DST change', () => {
    expect(add('2026-03-27T09:00:00Z', 1, 'workingDays')).toBe('2026-03-30T08:00:00.000Z'); // Fri 10:00 CET -> Mon 10:00 CEST
    expect(add('2026-10-23T08:00:00Z', 1, 'workingDays')).toBe('2026-10-26T09:00:00.000Z'); // Fri 10:00 CEST -> Mon 10:00 CET
  });

  it('take 0 working days as the next working time', () => {
    expect(add('2026-06-13T09:00:00Z', 0, 'workingDays')).toBe('2026-06-15T07:00:00.000Z');
  });
});

describe('working hours', () => {
  it('carry over to the next day: Thu 16:00 + 4 working hours = Fri 12:00', () => {
    expect(add('2026-06-11T14:00:00Z', 4, 'workingHours')).toBe('2026-06-12T10:00:00.000Z');
  });

  it('end at the close, not the next opening, when they use the day up', () => {
    expect(add('2026-06-11T14:00:00Z', 1, 'workingHours')).toBe('2026-06-11T15:00:00.000Z'); // Thu 16:00 -> Thu 17:00
  });

  it('count from the opening when the start is before or after hours', () => {
    expect(add('2026-06-15T05:00:00Z', 2, 'workingHours')).toBe('2026-06-15T09:00:00.000Z'); // Mon 07:00 -> Mon 11:00
    expect(add('2026-06-15T16:00:00Z', 2, 'workingHours')).toBe('2026-06-16T09:00:00.000Z'); // Mon 18:00 -> Tue 11:00
    expect(add('2026-06-13T10:00:00Z', 3, 'workingHours')).toBe('2026-06-15T10:00:00.000Z'); // Sat 12:00 -> Mon 12:00
    expect(add('2026-06-15T07:30:00Z', 40, 'workingHours')).toBe('2026-06-22T07:30:00.000Z'); // a working week: Mon 09:30 -> Mon 09:30
  });

  it('span the spring-forward weekend (Europe/Berlin)', () => {
    expect(add('2026-03-27T15:00:00Z', 2, 'workingHours')).toBe('2026-03-30T08:00:00.000Z'); // Fri 16:00 CET -> Mon 10:00 CEST
  });

  it('span the fall-back weekend (Europe/Berlin)', () => {
    expect(add('2026-10-23T14:00:00Z', 2, 'workingHours')).toBe('2026-10-26T09:00:00.000Z'); // Fri 16:00 CEST -> Mon 10:00 CET
  });

  it('count real time in a window that contains the DST change', () => {
    // 00:00-06:00 holds 5 real hours on the spring-forward day ...
    expect(add('2026-03-28T23:00:00Z', 5, 'workingHours', BERLIN, NIGHT_SHIFT)).toBe('2026-03-29T04:00:00.000Z'); // Sun 00:00 CET -> 06:00 CEST
    expect(add('2026-03-28T23:00:00Z', 6, 'workingHours', BERLIN, NIGHT_SHIFT)).toBe('2026-03-29T23:00:00.000Z'); // -> Mon 01:00 CEST
    // ... and 7 on the fall-back day
    expect(add('2026-10-24T22:00:00Z', 7, 'workingHours', BERLIN, NIGHT_SHIFT)).toBe('2026-10-25T05:00:00.000Z'); // Sun 00:00 CEST -> 06:00 CET
  });
});

describe('wall-clock durations', () => {
  it('take minutes and hours as elapsed time, ignoring the calendar', () => {
    expect(add('2026-06-13T09:00:00Z', 90, 'minutes')).toBe('2026-06-13T10:30:00.000Z');
    // 01:30 CET on the spring-forward day + 2 hours = 04:30 CEST, two real hours
    expect(add('2026-03-29T00:30:00Z', 2, 'hours')).toBe('2026-03-29T02:30:00.000Z');
  });

  it('take days as calendar days at the same local time across spring-forward (23 hours)', () => {
    expect(add('2026-03-28T09:00:00Z', 1, 'days')).toBe('2026-03-29T08:00:00.000Z'); // Sat 10:00 CET -> Sun 10:00 CEST
    expect(add('2026-03-28T09:00:00Z', 24, 'hours')).toBe('2026-03-29T09:00:00.000Z'); // whereas 24 hours is 11:00 CEST
  });

  it('take days as calendar days at the same local time across fall-back (25 hours)', () => {
    expect(add('2026-10-24T08:00:00Z', 1, 'days')).toBe('2026-10-25T09:00:00.000Z'); // Sat 10:00 CEST -> Sun 10:00 CET
  });

  it('move a day that lands in the spring-forward gap forward, and one in the overlap to its first occurrence', () => {
    expect(add('2026-03-28T01:30:00Z', 1, 'days')).toBe('2026-03-29T01:30:00.000Z'); // Sat 02:30 CET -> Sun 03:30 CEST
    expect(add('2026-10-24T00:30:00Z', 1, 'days')).toBe('2026-10-25T00:30:00.000Z'); // Sat 02:30 CEST -> Sun 02:30 CEST
  });

  it('roll days over month and year ends', () => {
    expect(add('2026-12-31T11:00:00Z', 1, 'days')).toBe('2027-01-01T11:00:00.000Z');
    expect(add('2026-01-31T11:00:00Z', 30, 'days')).toBe('2026-03-02T11:00:00.000Z');
  });
});

describe('time zones far from UTC', () => {
  it('use the local day in Asia/Tokyo while UTC is still on the day before', () => {
    // Sunday 14 June 23:30Z is Monday 08:30 JST
    expect(getLocalDate(new Date('2026-06-14T23:30:00Z'), TOKYO)).toBe('2026-06-15');
    expect(within('2026-06-14T23:30:00Z', TOKYO)).toBe(false);
    expect(next('2026-06-14T23:30:00Z', TOKYO)).toBe('2026-06-15T00:00:00.000Z'); // Monday 09:00 JST
    expect(within('2026-06-15T00:30:00Z', TOKYO)).toBe(true);
    expect(add('2026-06-12T08:30:00Z', 1, 'workingDays', TOKYO)).toBe('2026-06-15T08:00:00.000Z'); // Fri 17:30 JST -> Mon 17:00 JST
  });

  it('judge holidays on the local date in Asia/Tokyo', () => {
    const holidayMonday = calendar({ holidays: ['2026-06-15'] });
    expect(next('2026-06-14T23:30:00Z', TOKYO, holidayMonday)).toBe('2026-06-16T00:00:00.000Z'); // Tuesday 09:00 JST
  });

  it('work on Monday in Pacific/Auckland while UTC is still on Sunday', () => {
    expect(within('2026-06-14T22:00:00Z', AUCKLAND)).toBe(true); // Monday 10:00 NZST
    expect(within('2026-06-14T22:00:00Z', BERLIN)).toBe(false); // Sunday in Berlin
    expect(next('2026-06-13T22:00:00Z', AUCKLAND)).toBe('2026-06-14T21:00:00.000Z'); // Sun 10:00 NZST -> Mon 09:00 NZST
    expect(add('2026-06-12T04:00:00Z', 4, 'workingHours', AUCKLAND)).toBe('2026-06-15T00:00:00.000Z'); // Fri 16:00 -> Mon 12:00 NZST
  });

  it('handle the southern-hemisphere DST change in Pacific/Auckland', () => {
    // clocks go forward on Sunday 27 September 2026: Sat 10:00 NZST -> Sun 10:00 NZDT is 23 hours
    expect(add('2026-09-25T22:00:00Z', 1, 'days', AUCKLAND)).toBe('2026-09-26T21:00:00.000Z');
    expect(add('2026-09-25T04:00:00Z', 1, 'workingDays', AUCKLAND)).toBe('2026-09-28T03:00:00.000Z'); // Fri 16:00 NZST -> Mon 16:00 NZDT
  });
});

describe('working time', () => {
  it('is the half-open interval [start, end) on working days', () => {
    expect(within('2026-06-15T07:00:00Z')).toBe(true); // Mon 09:00
    expect(within('2026-06-15T14:59:59Z')).toBe(true); // Mon 16:59:59
    expect(within('2026-06-15T15:00:00Z')).toBe(false); // Mon 17:00
    expect(within('2026-06-15T06:59:59Z')).toBe(false); // Mon 08:59:59
    expect(within('2026-06-13T10:00:00Z')).toBe(false); // Sat 12:00
  });

  it('gives the instant itself when inside, else the next opening', () => {
    expect(next('2026-06-15T10:15:30Z')).toBe('2026-06-15T10:15:30.000Z');
    expect(next('2026-06-15T05:00:00Z')).toBe('2026-06-15T07:00:00.000Z'); // Mon 07:00 -> Mon 09:00
    expect(next('2026-06-15T15:00:00Z')).toBe('2026-06-16T07:00:00.000Z'); // Mon 17:00 -> Tue 09:00
    expect(next('2026-06-12T16:00:00Z')).toBe('2026-06-15T07:00:00.000Z'); // Fri 18:00 -> Mon 09:00
  });

  it('refuses a calendar with no working time', () => {
    expect(() => next('2026-06-15T07:00:00Z', BERLIN, calendar({ workingDays: [] }))).toThrow(/no working days/);
    // Mondays only, and every Monday for over five years a holiday
    const mondays = Array.from({ length: 300 }, (_, week) => getLocalDate(new Date(Date.UTC(2026, 5, 15 + 7 * week, 12)), BERLIN));
    expect(() => add('2026-06-13T10:00:00Z', 1, 'workingHours', BERLIN, calendar({ workingDays: ['mon'], holidays: mondays }))).toThrow(
      /no working time within 1830 days/,
    );
  });

  it('refuses an unknown time zone or an invalid instant', () => {
    expect(() => add('2026-06-15T07:00:00Z', 1, 'hours', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => addBusinessDuration(new Date('nope'), { amount: 1, unit: 'days' }, DEFAULT_CALENDAR, BERLIN)).toThrow(RangeError);
  });
});

describe('local parts', () => {
  it('map a non-existent local time forward and an ambiguous one to its first occurrence', () => {
    expect(zonedTimeToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, BERLIN).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, BERLIN).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedTimeToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 15 }, NEW_YORK).toISOString()).toBe('2026-03-08T07:15:00.000Z'); // 03:15 EDT
    expect(zonedTimeToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, NEW_YORK).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('read both occurrences of a repeated hour with their offsets', () => {
    expect(getZonedParts(new Date('2026-10-25T00:30:00Z'), BERLIN)).toEqual({
      year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0, millisecond: 0, weekday: 'sun', offsetMinutes: 120,
    });
    expect(getZonedParts(new Date('2026-10-25T01:30:00Z'), BERLIN)).toMatchObject({ hour: 2, minute: 30, offsetMinutes: 60 });
    expect(getZonedParts(new Date('2026-06-14T22:00:00.250Z'), AUCKLAND)).toMatchObject({ day: 15, hour: 10, millisecond: 250, weekday: 'mon', offsetMinutes: 720 });
  });

  it('add local days across month ends and leap days', () => {
    expect(addLocalDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addLocalDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
  });
});

describe('BusinessCalendarSchema', () => {
  const valid = { id: 'de-office', name: 'Berlin office', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], workingHours: { start: '08:30', end: '17:30' }, holidays: ['2026-12-25'] };

  it('accepts a calendar and the default one', () => {
    expect(BusinessCalendarSchema.parse(valid)).toEqual(valid);
    expect(BusinessCalendarSchema.parse(DEFAULT_CALENDAR)).toEqual(DEFAULT_CALENDAR);
  });

  it('rejects working hours that end before they start', () => {
    expect(issuesOf({ ...valid, workingHours: { start: '17:00', end: '09:00' } })).toEqual([
      { path: 'workingHours.end', message: 'must be later than start (17:00); windows that cross midnight are not supported' },
    ]);
    expect(issuesOf({ ...valid, workingHours: { start: '09:00', end: '09:00' } })?.[0]?.path).toBe('workingHours.end');
  });

  it('rejects a malformed time without a second, misleading issue', () => {
    expect(issuesOf({ ...valid, workingHours: { start: '9:00', end: '17:00' } })).toEqual([
      { path: 'workingHours.start', message: 'must be a time of day HH:MM between 00:00 and 23:59, such as 09:00' },
    ]);
    expect(issuesOf({ ...valid, workingHours: { start: '09:00', end: '24:00' } })?.[0]?.path).toBe('workingHours.end');
  });

  it('rejects empty or repeated working days', () => {
    expect(issuesOf({ ...valid, workingDays: [] })).toEqual([
      { path: 'workingDays', message: 'must list at least one working day, such as ["mon","tue","wed","thu","fri"]' },
    ]);
    expect(issuesOf({ ...valid, workingDays: ['mon', 'tue', 'mon'] })).toEqual([{ path: 'workingDays', message: 'lists "mon" more than once' }]);
    expect(issuesOf({ ...valid, workingDays: ['monday'] })?.[0]?.path).toBe('workingDays.0');
  });

  it('rejects a holiday that is not a real YYYY-MM-DD date', () => {
    const message = 'must be a date YYYY-MM-DD that exists, such as 2026-12-25';
    expect(issuesOf({ ...valid, holidays: ['2026-02-30'] })).toEqual([{ path: 'holidays.0', message }]);
    expect(issuesOf({ ...valid, holidays: ['2026-12-24', '25.12.2026'] })).toEqual([{ path: 'holidays.1', message }]);
    expect(issuesOf({ ...valid, holidays: ['2026-12-25', '2026-12-25'] })).toEqual([{ path: 'holidays', message: 'lists 2026-12-25 more than once' }]);
  });

  it('rejects unknown fields', () => {
    expect(issuesOf({ ...valid, timezone: 'Europe/Berlin' })?.[0]?.message).toMatch(/timezone/);
  });
});

describe('BusinessDurationSchema', () => {
  it('accepts an amount and a unit, and reads them back in words', () => {
    expect(BusinessDurationSchema.parse({ amount: 1, unit: 'workingDays' })).toEqual({ amount: 1, unit: 'workingDays' });
    expect(formatBusinessDuration({ amount: 1, unit: 'workingDays' })).toBe('1 working day');
    expect(formatBusinessDuration({ amount: 4, unit: 'workingHours' })).toBe('4 working hours');
    expect(formatBusinessDuration({ amount: 2, unit: 'days' })).toBe('2 days');
  });

  it('rejects a zero, fractional or huge amount and an unknown unit, field by field', () => {
    const issues = (input: unknown) => BusinessDurationSchema.safeParse(input).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues({ amount: 0, unit: 'days' })).toEqual([['amount', 'must be a whole number of at least 1']]);
    expect(issues({ amount: 1.5, unit: 'days' })?.[0]?.[0]).toBe('amount');
    expect(issues({ amount: 10_001, unit: 'days' })).toEqual([['amount', 'must be at most 10000']]);
    expect(issues({ amount: 2, unit: 'weeks' })?.[0]?.[0]).toBe('unit');
    expect(issues({ amount: 2, unit: 'weeks' })?.[0]?.[1]).toMatch(/workingDays/);
    expect(issues('1 workingDay')?.[0]?.[1]).toMatch(/object/);
  });
});
