import * as z from './zod';
import { IdSchema, NameSchema } from './common';

/**
 * Business calendars and durations: the data every delay, SLA, approval deadline and send window is
 * measured against (ANCHORS (b) 6, "business time everywhere"). A calendar carries no time zone of its
 * own: the caller supplies it (the approval policy's zone, the lead's zone), so one calendar serves
 * recipients in many zones. Holidays are local dates in whatever zone the calendar is applied in.
 * The arithmetic lives in functions/rules/business-time.ts.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof WeekdaySchema>;

/** A local time of day, 00:00 to 23:59. */
const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
export const TimeOfDaySchema = z.string().check(z.regex(TIME_OF_DAY, 'must be a time of day HH:MM between 00:00 and 23:59, such as 09:00'));

export const WorkingHoursSchema = z.strictObject({ start: TimeOfDaySchema, end: TimeOfDaySchema }).check(
  z.superRefine((hours, ctx) => {
    // well-formed 'HH:MM' strings compare in time order; a malformed one has its own issue already
    if (TIME_OF_DAY.test(hours.start) && TIME_OF_DAY.test(hours.end) && hours.end <= hours.start) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        input: hours.end,
        message: `must be later than start (${hours.start}); windows that cross midnight are not supported`,
      });
    }
  }),
);
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

/** A real calendar date (2026-02-30 fails), local to the zone the calendar is applied in. */
const HolidaySchema = z.iso.date('must be a date YYYY-MM-DD that exists, such as 2026-12-25');

const firstRepeat = (values: readonly string[]): string | undefined => values.find((value, index) => values.indexOf(value) !== index);

export const BusinessCalendarSchema = z.strictObject({
  id: IdSchema,
  name: NameSchema,
  workingDays: z.array(WeekdaySchema).check(
    z.minLength(1, 'must list at least one working day, such as ["mon","tue","wed","thu","fri"]'),
    z.superRefine((days, ctx) => {
      const repeated = firstRepeat(days);
      if (repeated !== undefined) ctx.addIssue({ code: 'custom', input: days, message: `lists "${repeated}" more than once` });
    }),
  ),
  workingHours: WorkingHoursSchema,
  /** Days off (public holidays, company closures) as local dates YYYY-MM-DD. */
  holidays: z.array(HolidaySchema).check(
    z.maxLength(1000, 'must list at most 1000 holidays'),
    z.superRefine((dates, ctx) => {
      const repeated = firstRepeat(dates);
      if (repeated !== undefined) ctx.addIssue({ code: 'custom', input: dates, message: `lists ${repeated} more than once` });
    }),
  ),
});
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;

/** Monday to Friday, 09:00 to 17:00, no holidays: what applies when a tenant has not set its own. */
export const DEFAULT_CALENDAR: BusinessCalendar = {
  id: 'default',
  name: 'Monday to Friday, 09:00-17:00',
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  workingHours: { start: '09:00', end: '17:00' },
  holidays: [],
};

/**
 * A duration is an object `{ "amount": 2, "unit": "workingDays" }` rather than a compact string
 * ("2 workingDays"): each part is validated and reported on its own field (`dueIn.unit: expected one
 * of ...`) instead of one "does not match the pattern" for the whole string; there is no
 * singular/plural or spelling variant to parse ("1 workingDay" vs "1 working day"); it renders as a
 * number input plus a select in a policy editor, and documents itself in JSON Schema / OpenAPI.
 * `formatBusinessDuration` gives the readable form for timelines and explanations.
 *
 * - minutes, hours: elapsed time.
 * - days: calendar days in the time zone, same local time of day (DST-correct).
 * - workingHours: only time inside working hours on working, non-holiday days counts.
 * - workingDays: that many working days later, at the same local time of day.
 */
export const DURATION_UNITS = ['minutes', 'hours', 'workingHours', 'days', 'workingDays'] as const;
export const DurationUnitSchema = z.enum(DURATION_UNITS);
export type DurationUnit = z.infer<typeof DurationUnitSchema>;

export const BusinessDurationSchema = z.strictObject({
  amount: z.int().check(z.gte(1, 'must be a whole number of at least 1'), z.lte(10_000, 'must be at most 10000')),
  unit: DurationUnitSchema,
});
export type BusinessDuration = z.infer<typeof BusinessDurationSchema>;

const UNIT_WORDS: Record<DurationUnit, [string, string]> = {
  minutes: ['minute', 'minutes'],
  hours: ['hour', 'hours'],
  workingHours: ['working hour', 'working hours'],
  days: ['day', 'days'],
  workingDays: ['working day', 'working days'],
};

/** "1 working day", "4 working hours", "2 days". */
export function formatBusinessDuration(duration: BusinessDuration): string {
  const [one, many] = UNIT_WORDS[duration.unit];
  return `${duration.amount} ${duration.amount === 1 ? one : many}`;
}
