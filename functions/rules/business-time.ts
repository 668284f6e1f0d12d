/**
 * Business time: deadlines, reminders and send windows measured against a business calendar in a
 * time zone (ANCHORS (b) 6). Pure functions on `Date` instants; the zone arithmetic uses only
 * `Intl.DateTimeFormat` (IANA data shipped with Node), no date library.
 *
 * Local time. A "local" date and time is what a wall clock in `timeZone` shows. Turning local parts
 * back into an instant follows Temporal's `disambiguation: 'compatible'`:
 *   - a local time that does not exist (the spring-forward gap) moves forward by the length of the gap:
 *     02:30 on 2026-03-29 in Europe/Berlin becomes 03:30 CEST (01:30Z);
 *   - a local time that occurs twice (the fall-back overlap) takes the first occurrence:
 *     02:30 on 2026-10-25 in Europe/Berlin becomes 02:30 CEST (00:30Z), not 02:30 CET (01:30Z).
 *
 * Working time. On a working day (listed in `workingDays` and not in `holidays`, both judged on the
 * local date) working time is the half-open interval [start, end) of `workingHours`, as instants.
 * The end instant itself is outside working time. Holidays are local dates in `timeZone`.
 *
 * Durations (`addBusinessDuration`):
 *   - minutes, hours: elapsed time, DST or not. 2 hours after 01:30 CET on the spring-forward day is
 *     04:30 CEST, two real hours later.
 *   - days: calendar days in the zone at the same local time of day. 1 day after 10:00 on the day
 *     before a DST change is 10:00 local the next day (23 or 25 real hours). A result that lands in a
 *     gap or an overlap is resolved as above.
 *   - workingHours: only working time counts, in real elapsed time. A start outside working time
 *     counts from the next start of working time. The result is the earliest instant at which the
 *     amount has elapsed, so a deadline that uses up a day's working time falls at that day's close
 *     (Thu 16:00 + 1 working hour = Thu 17:00, not Fri 09:00). Thu 16:00 + 4 = Fri 12:00. A working
 *     window that spans a DST change holds its real length (00:00-06:00 holds 5 hours on the
 *     spring-forward day and 7 on the fall-back day).
 *   - workingDays: N working days later at the same local time of day. Precisely:
 *       1. s = nextWorkingTimeStart(start): a start outside working time (after hours, before hours,
 *          weekend, holiday) first moves to the next start of working time;
 *       2. if s is later than that day's opening, the deadline is s's local time of day on the Nth
 *          working day after s's local date;
 *       3. if s is at the opening (working hours' start), the deadline is the close (working hours'
 *          end) of the (N-1)th working day after s's date, i.e. of s's own day for N = 1. Opening of
 *          day N and close of day N-1 leave the same working time; close of business is the
 *          deadline people mean.
 *     So a request made Friday 18:00 (after hours) due in 1 working day is due Monday 17:00, not
 *     Saturday and not Tuesday 09:00; Monday 08:00 + 1 working day is Monday 17:00; Monday 10:30 +
 *     1 working day is Tuesday 10:30; Monday 10:30 + 1 working day with Tuesday a holiday is
 *     Wednesday 10:30. In a plain calendar this equals N x (working-day length) working hours.
 *
 * The schema allows amounts of 1 and up; an amount of 0 gives `start` for minutes, hours and days (in a
 * fall-back overlap, days resolve to the first occurrence as above) and
 * `nextWorkingTimeStart(start)` for workingHours and workingDays.
 *
 * `nextWorkingTimeStart` is the send-window rule for nurture mails: a wait that ends inside working
 * time sends then; one that ends Saturday 03:00 sends Monday at the window's opening.
 *
 * All functions throw a RangeError for an invalid instant, an unknown time zone, or a calendar with
 * no working time within the search horizon (e.g. no working days).
 */
import type { BusinessCalendar, BusinessDuration, Weekday } from '../../schemas/calendar';

/** A local calendar date. month is 1-12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A local date and time of day in some zone. */
export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Local parts of an instant, with the weekday and the zone's UTC offset at that instant. */
export interface ZonedParts extends LocalDateTime {
  weekday: Weekday;
  /** local minus UTC, in minutes (Europe/Berlin in summer: 120) */
  offsetMinutes: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How many local days in a row without working time make a calendar count as having none. */
const HORIZON_DAYS = 366 * 5;

const JS_WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}": expected an IANA name such as Europe/Berlin`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function checkInstant(at: Date, what = 'instant'): number {
  const ms = at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`invalid ${what}: expected a valid Date`);
  return ms;
}

/** Local parts as "wall milliseconds": the local date and time encoded as if it were UTC. */
function wallMsOfParts(parts: LocalDate & Partial<LocalDateTime>): number {
  const d = new Date(0);
  d.setUTCFullYear(parts.year, parts.month - 1, parts.day); // unlike Date.UTC, keeps years 0-99
  d.setUTCHours(parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, parts.millisecond ?? 0);
  return d.getTime();
}

function partsOfWallMs(wall: number): LocalDateTime & { weekday: Weekday } {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: JS_WEEKDAYS[d.getUTCDay()] as Weekday,
  };
}

/** What a wall clock in `timeZone` shows at instant `ms`, as wall milliseconds. */
function wallMs(ms: number, timeZone: string): number {
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return wallMsOfParts({
    year: fields.year ?? Number.NaN,
    month: fields.month ?? Number.NaN,
    day: fields.day ?? Number.NaN,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
    millisecond: ((ms % 1000) + 1000) % 1000,
  });
}

/** The zone's UTC offset at instant `ms` (local minus UTC), in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
  return wallMs(ms, timeZone) - ms;
}

/** The instant at which the zone's wall clock shows `wall` (gap: forward; overlap: first). */
function wallToInstant(wall: number, timeZone: string): number {
  // The offsets a day either side bracket any transition near `wall` (the instant sought is within
  // 14 hours of it); no zone changes its offset twice within two days.
  const before = offsetMs(wall - DAY, timeZone);
  const after = offsetMs(wall + DAY, timeZone);
  const early = wall - before;
  if (before === after) return early;
  const late = wall - after;
  const earlyValid = offsetMs(early, timeZone) === before;
  const lateValid = offsetMs(late, timeZone) === after;
  if (earlyValid && lateValid) return Math.min(early, late); // overlap: the first occurrence
  if (lateValid) return late;
  // Either only `early` is valid, or the wall time is in a gap and never shows: then reading it with
  // the offset in force before the jump lands as far past the jump as the wall time was past the
  // gap's start (02:30 -> 03:30), as Temporal's 'compatible' does.
  return early;
}

/** The local date, time, weekday and UTC offset of `at` in `timeZone`. */
export function getZonedParts(at: Date, timeZone: string): ZonedParts {
  const ms = checkInstant(at);
  const wall = wallMs(ms, timeZone);
  return { ...partsOfWallMs(wall), offsetMinutes: Math.round((wall - ms) / MINUTE) };
}

/** The local calendar date of `at` in `timeZone`, as YYYY-MM-DD. */
export function getLocalDate(at: Date, timeZone: string): string {
  return formatLocalDate(getZonedParts(at, timeZone));
}

/** YYYY-MM-DD. */
export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** The local date `days` calendar days after `date` (negative goes back); months and years roll over. */
export function addLocalDays(date: LocalDate, days: number): LocalDate {
  const { year, month, day } = partsOfWallMs(wallMsOfParts(date) + days * DAY);
  return { year, month, day };
}

/**
 * The instant at which a wall clock in `timeZone` shows `local` (missing time parts are 0).
 * Out-of-range parts roll over (day 32, hour 24, minute 90) as with Date.UTC. A time in a
 * spring-forward gap moves forward by the gap; a time in a fall-back overlap takes the first
 * (earlier) occurrence.
 */
export function zonedTimeToInstant(local: LocalDate & Partial<LocalDateTime>, timeZone: string): Date {
  const wall = wallMsOfParts(local);
  if (Number.isNaN(wall)) throw new RangeError('invalid local date or time');
  return new Date(wallToInstant(wall, timeZone));
}

// ---------------------------------------------------------------------------------------------
// calendars

interface CalendarView {
  days: ReadonlySet<Weekday>;
  holidays: ReadonlySet<string>;
  /** working hours' start and end as minutes after local midnight */
  startMinute: number;
  endMinute: number;
}

function minuteOfDay(time: string, what: string): number {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(time);
  if (!match) throw new RangeError(`calendar ${what} "${time}" is not a time HH:MM`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The calendar in the form the arithmetic uses; re-checks what the schema checks, for unparsed input. */
function view(calendar: BusinessCalendar): CalendarView {
  const startMinute = minuteOfDay(calendar.workingHours.start, 'workingHours.start');
  const endMinute = minuteOfDay(calendar.workingHours.end, 'workingHours.end');
  if (endMinute <= startMinute) throw new RangeError(`calendar "${calendar.id}" has workingHours.end not later than start`);
  if (calendar.workingDays.length === 0) throw new RangeError(`calendar "${calendar.id}" has no working days`);
  return { days: new Set(calendar.workingDays), holidays: new Set(calendar.holidays), startMinute, endMinute };
}

function isWorkingDate(date: LocalDate, cal: CalendarView): boolean {
  const weekday = JS_WEEKDAYS[new Date(wallMsOfParts(date)).getUTCDay()] as Weekday;
  return cal.days.has(weekday) && !cal.holidays.has(formatLocalDate(date));
}

/** Working time on a local date as instants [start, end), or undefined on a day off. */
function workingInterval(date: LocalDate, cal: CalendarView, timeZone: string): { start: number; end: number } | undefined {
  if (!isWorkingDate(date, cal)) return undefined;
  const { year, month, day } = date;
  return {
    start: wallToInstant(wallMsOfParts({ year, month, day, minute: cal.startMinute }), timeZone),
    end: wallToInstant(wallMsOfParts({ year, month, day, minute: cal.endMinute }), timeZone),
  };
}

function localDateOf(ms: number, timeZone: string): LocalDate {
  const { year, month, day } = partsOfWallMs(wallMs(ms, timeZone));
  return { year, month, day };
}

/**
 * The working dates from `date` on (itself included when it is one), each with its working interval.
 * Throws when HORIZON_DAYS local days in a row hold no working time.
 */
function* workingDates(date: LocalDate, calendar: BusinessCalendar, timeZone: string): Generator<{ date: LocalDate; start: number; end: number }> {
  const cal = view(calendar);
  let current = date;
  let idle = 0;
  for (;;) {
    const interval = workingInterval(current, cal, timeZone);
    if (interval) {
      idle = 0;
      yield { date: current, ...interval };
    } else if (++idle > HORIZON_DAYS) {
      throw new RangeError(`calendar "${calendar.id}" has no working time within ${HORIZON_DAYS} days`);
    }
    current = addLocalDays(current, 1);
  }
}

/** Whether `at` is inside working time: a working, non-holiday local date, within [start, end). */
export function isWithinWorkingTime(at: Date, calendar: BusinessCalendar, timeZone: string): boolean {
  const ms = checkInstant(at);
  const interval = workingInterval(localDateOf(ms, timeZone), view(calendar), timeZone);
  return interval !== undefined && ms >= interval.start && ms < interval.end;
}

/** `at` itself when inside working time, else the next start of working hours. */
export function nextWorkingTimeStart(at: Date, calendar: BusinessCalendar, timeZone: string): Date {
  return new Date(nextWorkingMs(checkInstant(at), calendar, timeZone));
}

function nextWorkingMs(ms: number, calendar: BusinessCalendar, timeZone: string): number {
  for (const day of workingDates(localDateOf(ms, timeZone), calendar, timeZone)) {
    if (ms < day.end) return Math.max(ms, day.start);
  }
  throw new Error('unreachable');
}

/** The instant at which `workingMs` of working time has passed since `start` (the SLA clock's unit). */
export function addWorkingMilliseconds(start: Date, workingMs: number, calendar: BusinessCalendar, timeZone: string): Date {
  if (!Number.isFinite(workingMs) || workingMs < 0) throw new RangeError(`working time must be 0 or more milliseconds, got ${workingMs}`);
  return new Date(addWorkingTime(checkInstant(start, 'start'), workingMs, calendar, timeZone));
}

/** How much working time (ms) lies in [from, to); 0 when `to` is not after `from`. */
export function workingTimeBetween(from: Date, to: Date, calendar: BusinessCalendar, timeZone: string): number {
  const start = checkInstant(from, 'from');
  const end = checkInstant(to, 'to');
  let total = 0;
  if (end <= start) return total;
  for (const day of workingDates(localDateOf(start, timeZone), calendar, timeZone)) {
    if (day.start >= end) return total;
    total += Math.max(0, Math.min(day.end, end) - Math.max(day.start, start));
  }
  throw new Error('unreachable');
}

function addWorkingTime(ms: number, amount: number, calendar: BusinessCalendar, timeZone: string): number {
  let remaining = amount;
  for (const day of workingDates(localDateOf(ms, timeZone), calendar, timeZone)) {
    const from = Math.max(ms, day.start);
    if (from >= day.end) continue;
    if (remaining <= day.end - from) return from + remaining;
    remaining -= day.end - from;
  }
  throw new Error('unreachable');
}

function addWorkingDays(ms: number, amount: number, calendar: BusinessCalendar, timeZone: string): number {
  const start = nextWorkingMs(ms, calendar, timeZone);
  if (amount === 0) return start;
  const local = partsOfWallMs(wallMs(start, timeZone));
  const date: LocalDate = { year: local.year, month: local.month, day: local.day };
  const atOpening = workingInterval(date, view(calendar), timeZone)?.start === start;
  // at the opening, N working days end at the close of the (N-1)th working day after; otherwise at
  // the same time of day on the Nth
  let skip = atOpening ? amount - 1 : amount;
  for (const day of workingDates(date, calendar, timeZone)) {
    if (skip-- > 0) continue;
    if (atOpening) return day.end;
    return wallToInstant(wallMsOfParts({ ...day.date, hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond }), timeZone);
  }
  throw new Error('unreachable');
}

/** The instant `duration` after `start` under `calendar` in `timeZone`; see the header for the rules. */
export function addBusinessDuration(start: Date, duration: BusinessDuration, calendar: BusinessCalendar, timeZone: string): Date {
  const ms = checkInstant(start, 'start');
  const { amount, unit } = duration;
  if (!Number.isInteger(amount) || amount < 0) throw new RangeError(`duration amount must be a whole number, got ${amount}`);
  formatterFor(timeZone); // an unknown zone fails the same way for every unit
  switch (unit) {
    case 'minutes':
      return new Date(ms + amount * MINUTE);
    case 'hours':
      return new Date(ms + amount * HOUR);
    case 'days': {
      const local = partsOfWallMs(wallMs(ms, timeZone));
      return new Date(wallToInstant(wallMsOfParts({ ...local, day: local.day + amount }), timeZone));
    }
    case 'workingHours':
      return new Date(addWorkingTime(ms, amount * HOUR, calendar, timeZone));
    case 'workingDays':
      return new Date(addWorkingDays(ms, amount, calendar, timeZone));
    default:
      throw new RangeError(`unknown duration unit "${String(unit)}"`);
  }
}
