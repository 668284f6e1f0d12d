import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR } from '../../schemas/calendar';
import { SlaPolicyBodySchema, type SlaClock, type SlaMilestone } from '../../schemas/tickets/records';
import { addWorkingMilliseconds, workingTimeBetween } from '../../functions/rules/business-time';
import { managersUp } from '../../functions/rules/department-tree';
import { countedTime, dueTimers, isPaused, slaTimers, targetDueAt, type SlaTerms } from '../../functions/rules/sla-clock';

// 2026-12-04 is a Friday; Berlin is UTC+1 in December.
const BERLIN = 'Europe/Berlin';
const terms: SlaTerms = {
  calendar: DEFAULT_CALENDAR, timeZone: BERLIN,
  firstResponseMinutes: 120, resolutionMinutes: 960, remindBeforeMinutes: 30, escalateEveryMinutes: 60,
};
const FRIDAY_1730 = '2026-12-04T16:30:00.000Z';
const clock = (pauses: SlaClock['pauses'] = []): SlaClock => ({ startedAt: FRIDAY_1730, pauses });
const iso = (d: Date | undefined) => d?.toISOString();
const H = 3_600_000;

describe('working time', () => {
  it('counts only working hours between two instants', () => {
    // Fri 16:00 to Mon 10:00 Berlin: 1 h on Friday, 1 h on Monday
    expect(workingTimeBetween(new Date('2026-12-04T15:00:00Z'), new Date('2026-12-07T09:00:00Z'), DEFAULT_CALENDAR, BERLIN)).toBe(2 * H);
    expect(workingTimeBetween(new Date('2026-12-07T09:00:00Z'), new Date('2026-12-04T15:00:00Z'), DEFAULT_CALENDAR, BERLIN)).toBe(0);
  });

  it('adds working milliseconds, a day that uses up its hours ending at its close', () => {
    expect(addWorkingMilliseconds(new Date('2026-12-04T15:00:00Z'), H, DEFAULT_CALENDAR, BERLIN).toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(addWorkingMilliseconds(new Date(FRIDAY_1730), 30 * 60_000, DEFAULT_CALENDAR, BERLIN).toISOString()).toBe('2026-12-07T08:30:00.000Z');
  });
});

describe('the SLA clock', () => {
  it('puts a high-priority ticket opened Friday 17:30 due on Monday 11:00, reminded at 10:30, escalated at 11:00 and 12:00', () => {
    expect(iso(targetDueAt(clock(), terms, 'first-response'))).toBe('2026-12-07T10:00:00.000Z');
    const timers = slaTimers(clock(), terms, ['first-response'], 2).map((t) => [t.kind, t.level, iso(t.at)]);
    expect(timers).toEqual([
      ['reminded', undefined, '2026-12-07T09:30:00.000Z'],
      ['breached', 1, '2026-12-07T10:00:00.000Z'],
      ['escalated', 2, '2026-12-07T11:00:00.000Z'],
    ]);
  });

  it('stops while the ticket waits on the customer and counts on from the reply', () => {
    // Monday 09:30-10:30 Berlin waiting: the hour does not count, so the breach moves to 12:00
    const waited = clock([{ from: '2026-12-07T08:30:00.000Z', to: '2026-12-07T09:30:00.000Z' }]);
    expect(iso(targetDueAt(waited, terms, 'first-response'))).toBe('2026-12-07T11:00:00.000Z');
    expect(countedTime(waited, terms, new Date('2026-12-07T10:00:00.000Z'))).toBe(H);
  });

  it('has no due time while paused, and nothing falls due then', () => {
    const waiting = clock([{ from: '2026-12-07T09:45:00.000Z' }]);
    expect(isPaused(waiting)).toBe(true);
    expect(targetDueAt(waiting, terms, 'first-response')).toBeUndefined();
    const { due, nextAt } = dueTimers(slaTimers(waiting, terms, ['first-response'], 2), [], new Date('2026-12-09T12:00:00Z'));
    // the reminder (10:30 Berlin, before the pause at 10:45) is still due; the breach never comes while paused
    expect(due.map((t) => t.kind)).toEqual(['reminded']);
    expect(nextAt).toBeUndefined();
  });

  it('gives what is due and not done, in clock order, and the next timer', () => {
    const timers = slaTimers(clock(), terms, ['first-response', 'resolution'], 3);
    const done: SlaMilestone[] = [{ cycle: 1, target: 'first-response', kind: 'reminded', dueAt: '2026-12-07T09:30:00.000Z', at: '2026-12-07T09:30:00.000Z' }];
    const { due, nextAt } = dueTimers(timers, done, new Date('2026-12-07T11:00:00.000Z'));
    expect(due.map((t) => `${t.target}/${t.kind}/${t.level ?? ''}`)).toEqual(['first-response/breached/1', 'first-response/escalated/2']);
    expect(iso(nextAt)).toBe('2026-12-07T12:00:00.000Z');
  });

  it('plans no reminder when the reminder would come before the start', () => {
    expect(slaTimers(clock(), { ...terms, remindBeforeMinutes: 120 }, ['first-response'], 1).map((t) => t.kind)).toEqual(['breached']);
  });
});

describe('managers up the department tree', () => {
  const tree = new Map([
    ['d-care', { id: 'd-care', parentId: 'd-company', managerUserId: 'u-care-manager' }],
    ['d-company', { id: 'd-company', parentId: 'd-group', managerUserId: 'u-admin' }],
    ['d-group', { id: 'd-group' }],
  ]);
  it('lists the managers nearest first, passing over the assignee', () => {
    expect(managersUp('d-care', (id) => tree.get(id), new Set(['u-service'])).managers).toEqual(['u-care-manager', 'u-admin']);
    expect(managersUp('d-care', (id) => tree.get(id), new Set(['u-care-manager'])).managers).toEqual(['u-admin']);
  });
  it('stops at an unknown department or a loop', () => {
    expect(managersUp('d-x', (id) => tree.get(id), new Set()).unknownDepartment).toBe('d-x');
    const loop = new Map([['a', { id: 'a', parentId: 'b' }], ['b', { id: 'b', parentId: 'a' }]]);
    expect(managersUp('a', (id) => loop.get(id), new Set()).loopsAt).toBe('a');
  });
});

describe('SLA policies as data', () => {
  const policy = {
    name: 'Customer Care', timeZone: BERLIN, calendar: DEFAULT_CALENDAR,
    targets: (['low', 'normal', 'high', 'urgent'] as const).map((priority) => ({ priority, firstResponseMinutes: 60, resolutionMinutes: 480 })),
    remindBeforeMinutes: 15, escalateEveryMinutes: 60, reopenWithinDays: 7,
  };
  it('accepts a policy with a default entry per priority', () => {
    expect(SlaPolicyBodySchema.safeParse(policy).success).toBe(true);
  });
  it('names what is wrong: a missing priority, a repeat, a resolution shorter than the first response', () => {
    const bad = { ...policy, targets: [...policy.targets.slice(1), { priority: 'high', firstResponseMinutes: 60, resolutionMinutes: 30 }] };
    const messages = SlaPolicyBodySchema.safeParse(bad).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      'targets.3: lists priority high without a category twice',
      'targets.3.resolutionMinutes: must not be shorter than firstResponseMinutes',
      'targets: needs an entry for priority low without a category (the default for it)',
    ]));
  });
});
