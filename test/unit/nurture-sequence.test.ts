import { describe, expect, it } from 'vitest';
import { NurtureSequenceSchema, type NurtureSequence } from '../../schemas/nurture/sequence';
import { sampleWelcomeSequence } from '../../local/seed/welcome-sequence';
import { decideEnrolment, dryRun, waitEnd } from '../../functions/nurture/nurture-plan';

const parse = (input: unknown) => NurtureSequenceSchema.safeParse(input);
const issues = (input: unknown) => {
  const result = parse(input);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};
const welcome = () => NurtureSequenceSchema.parse(sampleWelcomeSequence()) as NurtureSequence;
const lead = { firstName: 'Mia', email: 'mia@example.com', score: 0, status: 'new', timeZone: 'Europe/Berlin', marketingConsent: { status: 'given' } };

describe('a nurture sequence document', () => {
  it('accepts the sample and fills in the defaults (send window Mon-Fri 09-17, one active enrolment)', () => {
    const parsed = welcome();
    expect(parsed.sendWindow.workingHours).toEqual({ start: '09:00', end: '17:00' });
    expect(parsed.maxActivePerLead).toBe(1);
  });

  it('names the field and the reason for a jump to an unknown or earlier step', () => {
    const bad = sampleWelcomeSequence();
    bad.steps[3] = { id: 'opened', type: 'wait-for-engagement', mailStep: 'follow-up', engagement: 'opened', withinDays: 3, yes: 'nowhere', no: 'welcome' };
    expect(issues(bad)).toEqual(expect.arrayContaining([
      { path: 'steps.3.yes', message: 'names no step "nowhere"' },
      { path: 'steps.3.no', message: expect.stringContaining('must name a later step') },
    ]));
  });

  it('refuses repeated step ids, an engagement wait on a step that is not an earlier mail, and a wait with both duration and until', () => {
    const bad = sampleWelcomeSequence();
    bad.steps[1] = { id: 'welcome', type: 'wait', duration: { amount: 1, unit: 'days' }, until: '2026-12-01T09:00:00Z' };
    bad.steps[3] = { id: 'opened', type: 'wait-for-engagement', mailStep: 'boost', engagement: 'opened', withinDays: 3, yes: 'boost', no: 'reminder' };
    const paths = issues(bad).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.1.id', 'steps.1.duration', 'steps.3.mailStep']));
  });

  it('needs an owner for captured leads, a known step type, and says which', () => {
    expect(issues(sampleWelcomeSequence('x', { trigger: { event: 'Lead.Captured' } })))
      .toContainEqual({ path: 'trigger.assignCapturedLeadsTo', message: expect.stringContaining('is required') });
    const bad = sampleWelcomeSequence();
    (bad.steps as unknown[]).push({ id: 'later', type: 'teleport' });
    expect(issues(bad).find((i) => i.path.startsWith('steps.8'))?.message).toContain('one of send-mail');
  });
});

describe('the send window', () => {
  it('moves a wait that ends Saturday 03:00 in the lead\'s zone to Monday at the window start', () => {
    const sequence = welcome();
    // Friday 2026-11-27 03:00 Berlin (02:00 UTC) + 1 day = Saturday 03:00 Berlin
    const end = waitEnd(sequence, { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' } }, lead, new Date('2026-11-27T02:00:00Z'));
    expect(end.toISOString()).toBe('2026-11-30T08:00:00.000Z'); // Monday 09:00 Berlin
  });

  it('follows the lead\'s own zone, not the sequence default', () => {
    const sequence = welcome();
    const tokyo = { ...lead, timeZone: 'Asia/Tokyo' };
    const end = waitEnd(sequence, { id: 'w', type: 'wait', until: '2026-11-28T18:00:00Z' }, tokyo, new Date('2026-11-27T00:00:00Z'));
    expect(end.toISOString()).toBe('2026-11-30T00:00:00.000Z'); // Monday 09:00 Tokyo
  });

  it('leaves an end inside the window alone, and ignores the window when the step says so', () => {
    const sequence = welcome();
    const inside = waitEnd(sequence, { id: 'w', type: 'wait', duration: { amount: 2, unit: 'hours' } }, lead, new Date('2026-11-24T09:00:00Z'));
    expect(inside.toISOString()).toBe('2026-11-24T11:00:00.000Z');
    const anyTime = waitEnd(sequence, { id: 'w', type: 'wait', duration: { amount: 1, unit: 'days' }, withinSendWindow: false }, lead, new Date('2026-11-27T02:00:00Z'));
    expect(anyTime.toISOString()).toBe('2026-11-28T02:00:00.000Z');
  });
});

describe('the dry-run', () => {
  it('shows the path and when each mail goes when the lead opens the follow-up', () => {
    const run = dryRun(welcome(), lead, new Date('2026-11-23T10:00:00Z'), { opened: 'opened' });
    expect(run.enrols).toBe(true);
    expect(run.path.map((p) => p.stepId)).toEqual(['welcome', 'pause', 'follow-up', 'opened', 'boost', 'offer', 'done']);
    expect(run.mails).toEqual([
      { stepId: 'welcome', template: 'nurture-welcome', at: '2026-11-23T10:00:00.000Z' },
      { stepId: 'follow-up', template: 'nurture-follow-up', at: '2026-11-25T10:00:00.000Z' },
      { stepId: 'offer', template: 'nurture-offer', at: '2026-11-25T10:00:00.000Z' },
    ]);
  });

  it('takes the no branch when nothing is opened, and the reminder waits for the window', () => {
    const run = dryRun(welcome(), lead, new Date('2026-11-23T10:00:00Z'));
    expect(run.path.map((p) => p.stepId)).toEqual(['welcome', 'pause', 'follow-up', 'opened', 'reminder', 'done']);
    // three days after Wednesday 11:00 Berlin is Saturday: the reminder goes Monday 09:00
    expect(run.mails.at(-1)).toEqual({ stepId: 'reminder', template: 'nurture-reminder', at: '2026-11-30T08:00:00.000Z' });
  });

  it('sends nothing to a lead without consent, and says why', () => {
    const run = dryRun(welcome(), { ...lead, marketingConsent: { status: 'withdrawn' } }, new Date('2026-11-23T10:00:00Z'));
    expect(run).toMatchObject({ enrols: false, mails: [], reasons: ['the lead has not given marketing consent (consent is withdrawn)'] });
  });
});

describe('enrolment decisions', () => {
  const ask = (reentry: NurtureSequence['reentry'], place: { active: number; total: number }) =>
    decideEnrolment({ sequence: { ...welcome(), reentry }, status: 'active', detail: { formId: 'webinar' }, lead, place });

  it('applies the re-entry policies', () => {
    expect(ask('never', { active: 0, total: 1 }).enrol).toBe(false);
    expect(ask('after-exit', { active: 1, total: 1 }).enrol).toBe(false);
    expect(ask('after-exit', { active: 0, total: 1 }).enrol).toBe(true);
    expect(ask('any-time', { active: 1, total: 1 }).reasons[0]).toContain('the most this sequence allows (1)');
  });

  it('explains every failed condition, not only the first', () => {
    const decision = decideEnrolment({ sequence: welcome(), status: 'paused', detail: { formId: 'contact' }, lead: { ...lead, marketingConsent: { status: 'unknown' } }, place: { active: 0, total: 0 } });
    expect(decision.enrol).toBe(false);
    expect(decision.reasons).toHaveLength(3);
    expect(decision.reasons.join('\n')).toMatch(/paused[\s\S]*formId[\s\S]*consent/);
  });
});
