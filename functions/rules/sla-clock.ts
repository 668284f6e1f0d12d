/**
 * The SLA clock of a service ticket: pure rules over business time (./business-time.ts).
 *
 * The clock counts working time only (the team's calendar, in the team's zone) from `startedAt`, except
 * in its pauses (the ticket waits on the customer). A target of N working minutes falls due at the
 * instant when N minutes of counted time have passed; while the clock is paused no target falls due
 * (`dueAt` is undefined), and on resumption the remaining time counts on from the resumption. So a
 * high-priority ticket opened Friday 17:30 with a 2-hour first-response target, in a team that works
 * Monday to Friday 09:00-17:00, is due Monday 11:00: no working time passes over the weekend.
 *
 * For each running target (first response until answered, resolution until resolved):
 *   reminder     at target - remindBefore of counted time (none if that is not after the start);
 *   breach       at the target; it is escalation level 1, to the assignee's manager;
 *   level k > 1  at target + (k - 1) x escalateEvery of counted time, to the next manager up,
 * up to as many levels as there are managers above the assignee. All of it is counted time, so a
 * reminder or an escalation never fires on a weekend, at night or while waiting on the customer.
 */
import type { BusinessCalendar } from '../../schemas/calendar';
import type { SlaClock, SlaMilestone, SlaTarget } from '../../schemas/tickets/records';
import { addWorkingMilliseconds, workingTimeBetween } from './business-time';

const MINUTE = 60_000;

export interface SlaTerms {
  calendar: BusinessCalendar;
  timeZone: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  remindBeforeMinutes: number;
  escalateEveryMinutes: number;
}

/** The counted spans of the clock: [from, to) each; the last one has no end while the clock runs. */
function runningSpans(clock: SlaClock): { from: number; to?: number }[] {
  const spans: { from: number; to?: number }[] = [];
  let from: number | undefined = Date.parse(clock.startedAt);
  for (const pause of [...clock.pauses].sort((a, b) => a.from.localeCompare(b.from))) {
    if (from !== undefined) spans.push({ from, to: Math.max(from, Date.parse(pause.from)) });
    from = pause.to === undefined ? undefined : Math.max(Date.parse(pause.to), Date.parse(pause.from));
  }
  if (from !== undefined) spans.push({ from });
  return spans;
}

/** Whether the clock is stopped now (an open pause). */
export const isPaused = (clock: SlaClock) => clock.pauses.some((p) => p.to === undefined);

/** Counted working time (ms) from the clock's start until `at`. */
export function countedTime(clock: SlaClock, terms: Pick<SlaTerms, 'calendar' | 'timeZone'>, at: Date): number {
  let total = 0;
  for (const span of runningSpans(clock)) {
    const end = Math.min(span.to ?? at.getTime(), at.getTime());
    if (end > span.from) total += workingTimeBetween(new Date(span.from), new Date(end), terms.calendar, terms.timeZone);
  }
  return total;
}

/** The instant at which the clock has counted `workingMs`; undefined when it is paused before that. */
export function instantAtCounted(clock: SlaClock, terms: Pick<SlaTerms, 'calendar' | 'timeZone'>, workingMs: number): Date | undefined {
  let remaining = workingMs;
  for (const span of runningSpans(clock)) {
    const start = new Date(span.from);
    if (span.to === undefined) return addWorkingMilliseconds(start, remaining, terms.calendar, terms.timeZone);
    const inSpan = workingTimeBetween(start, new Date(span.to), terms.calendar, terms.timeZone);
    if (remaining <= inSpan && inSpan > 0) return addWorkingMilliseconds(start, remaining, terms.calendar, terms.timeZone);
    remaining -= inSpan;
  }
  return undefined;
}

/** One thing the SLA does at an instant of the clock: remind, breach (level 1) or escalate further (level 2+). */
export interface SlaTimer {
  target: SlaTarget;
  kind: SlaMilestone['kind'];
  level?: number;
  /** when it falls due, or undefined while the clock is paused before it */
  at: Date | undefined;
}

/**
 * The timers of the targets still running (`running`), in counted time; `levels` is how many managers
 * there are to escalate to (escalations past the top are not planned).
 */
export function slaTimers(clock: SlaClock, terms: SlaTerms, running: readonly SlaTarget[], levels: number): SlaTimer[] {
  const timers: SlaTimer[] = [];
  for (const target of running) {
    const targetMs = (target === 'first-response' ? terms.firstResponseMinutes : terms.resolutionMinutes) * MINUTE;
    const remindMs = targetMs - terms.remindBeforeMinutes * MINUTE;
    if (remindMs > 0) timers.push({ target, kind: 'reminded', at: instantAtCounted(clock, terms, remindMs) });
    timers.push({ target, kind: 'breached', level: 1, at: instantAtCounted(clock, terms, targetMs) });
    for (let level = 2; level <= levels; level++) {
      timers.push({ target, kind: 'escalated', level, at: instantAtCounted(clock, terms, targetMs + (level - 1) * terms.escalateEveryMinutes * MINUTE) });
    }
  }
  return timers;
}

const sameTimer = (timer: SlaTimer, milestone: SlaMilestone) =>
  milestone.target === timer.target && milestone.kind === timer.kind && (milestone.level ?? 0) === (timer.level ?? 0);

/**
 * What is due at `now` and not done yet (`done`: this cycle's milestones), in clock order, and when the
 * next timer after those falls due (undefined: nothing left, or the clock is paused).
 */
export function dueTimers(timers: readonly SlaTimer[], done: readonly SlaMilestone[], now: Date): { due: SlaTimer[]; nextAt: Date | undefined } {
  const open = timers.filter((t) => !done.some((m) => sameTimer(t, m)));
  const due = open.filter((t) => t.at !== undefined && t.at.getTime() <= now.getTime()).sort((a, b) => a.at!.getTime() - b.at!.getTime());
  const later = open.filter((t) => t.at !== undefined && t.at.getTime() > now.getTime()).map((t) => t.at!.getTime());
  return { due, nextAt: later.length ? new Date(Math.min(...later)) : undefined };
}

/** When a target falls due on the clock (undefined while paused). */
export function targetDueAt(clock: SlaClock, terms: SlaTerms, target: SlaTarget): Date | undefined {
  return instantAtCounted(clock, terms, (target === 'first-response' ? terms.firstResponseMinutes : terms.resolutionMinutes) * MINUTE);
}
