/**
 * The nurture engine's decisions as plain functions, shared by the engine (functions/nurture/*) and the
 * dry-run, so what marketing previews is what runs: who enrols and why not, where a step leads, when a
 * wait ends and when a mail may go (the send window in the lead's zone).
 */
import type { Condition } from '../../schemas/conditions';
import type { NurtureSequence, NurtureStep } from '../../schemas/nurture/sequence';
import { addBusinessDuration, isWithinWorkingTime, nextWorkingTimeStart } from '../rules/business-time';
import { evaluateCondition, explainCondition } from '../rules/conditions';

type Lead = Record<string, unknown>;
const DAY_MS = 86_400_000;

export const stepById = (sequence: NurtureSequence, id: string): NurtureStep | undefined => sequence.steps.find((s) => s.id === id);
export const firstStep = (sequence: NurtureSequence): NurtureStep => sequence.steps[0]!;

/** The lead's own zone, else the sequence's default. */
export const timeZoneOf = (sequence: NurtureSequence, lead: Lead): string =>
  typeof lead.timeZone === 'string' && lead.timeZone ? lead.timeZone : sequence.defaultTimeZone;

/** The step after `step`: its named jump (yes/no for branching steps), else the next one written; undefined: the end. */
export function nextStepId(sequence: NurtureSequence, step: NurtureStep, outcome?: boolean): string | undefined {
  if (step.type === 'end') return undefined;
  if (step.type === 'branch' || step.type === 'wait-for-engagement') return outcome ? step.yes : step.no;
  if (step.next) return step.next;
  const index = sequence.steps.findIndex((s) => s.id === step.id);
  return sequence.steps[index + 1]?.id;
}

/** When a mail may go: now when inside the send window in the lead's zone, else the window's next start. */
export const sendTime = (sequence: NurtureSequence, lead: Lead, now: Date): Date =>
  nextWorkingTimeStart(now, sequence.sendWindow, timeZoneOf(sequence, lead));

export const insideSendWindow = (sequence: NurtureSequence, lead: Lead, now: Date): boolean =>
  isWithinWorkingTime(now, sequence.sendWindow, timeZoneOf(sequence, lead));

/**
 * When a wait step ends: its duration (working units on the send window's calendar, in the lead's zone)
 * or its instant; then, unless `withinSendWindow` is false, moved to the next window start if outside it.
 */
export function waitEnd(sequence: NurtureSequence, step: Extract<NurtureStep, { type: 'wait' }>, lead: Lead, now: Date): Date {
  const zone = timeZoneOf(sequence, lead);
  const raw = step.until ? new Date(step.until) : addBusinessDuration(now, step.duration!, sequence.sendWindow, zone);
  const end = raw.getTime() < now.getTime() ? now : raw;
  return step.withinSendWindow === false ? end : nextWorkingTimeStart(end, sequence.sendWindow, zone);
}

/** The deadline of a wait for engagement: withinDays after it starts. */
export const engagementDeadline = (step: Extract<NurtureStep, { type: 'wait-for-engagement' }>, now: Date): Date =>
  new Date(now.getTime() + step.withinDays * DAY_MS);

export const hasMarketingConsent = (lead: Lead): boolean =>
  (lead.marketingConsent as { status?: string } | undefined)?.status === 'given';

/** Fit points the lead earns on enrolment. */
export const fitPoints = (sequence: NurtureSequence, lead: Lead): number =>
  (sequence.scoring?.fit ?? []).reduce((sum, rule) => sum + (evaluateCondition(rule.condition, lead) ? rule.points : 0), 0);

// ---------------------------------------------------------------------------------------------------
// Enrolment

/** The lead's place in a sequence: how many of its enrolments there are active and ever were. */
export interface PlaceInSequence {
  active: number;
  total: number;
}

export interface EnrolmentQuestion {
  sequence: NurtureSequence;
  status: string;
  /** the triggering event's detail; undefined skips the event condition (a dry-run without a sample event) */
  detail?: unknown;
  lead: Lead;
  /** this lead's place in this sequence so far */
  place: PlaceInSequence;
  /** why the lead's address is suppressed, if it is */
  suppressed?: string;
}

export type EnrolmentDecision = { enrol: true; reasons: string[] } | { enrol: false; reasons: string[] };

const explained = (what: string, condition: Condition | undefined, subject: unknown): string[] => {
  if (!condition) return [];
  const explanation = explainCondition(condition, subject);
  return explanation.result ? [] : explanation.reasons.map((r) => `${what}: ${r}`);
};

/** Whether this lead enrols now, and if not every reason why (not only the first). */
export function decideEnrolment(q: EnrolmentQuestion): EnrolmentDecision {
  const reasons: string[] = [];
  if (q.status !== 'active') reasons.push(`the sequence is ${q.status}, not active`);
  if (q.detail !== undefined) reasons.push(...explained('the event does not match', q.sequence.trigger.eventCondition, q.detail));
  reasons.push(...explained('the lead does not match', q.sequence.trigger.leadCondition, q.lead));
  if (!hasMarketingConsent(q.lead)) {
    const status = (q.lead.marketingConsent as { status?: string } | undefined)?.status ?? 'unknown';
    reasons.push(`the lead has not given marketing consent (consent is ${status})`);
  }
  if (q.suppressed) reasons.push(`the lead's address is on the suppression list (${q.suppressed})`);
  if (q.lead.status === 'converted' || q.lead.status === 'disqualified') reasons.push(`the lead is ${String(q.lead.status)}`);
  if (q.sequence.exitCondition && evaluateCondition(q.sequence.exitCondition, q.lead)) reasons.push('the lead already matches the exit condition');
  const { active, total } = q.place;
  const policy = q.sequence.reentry;
  if (policy === 'never' && total > 0) reasons.push('the lead was enrolled before and the sequence allows no re-entry');
  if (policy === 'after-exit' && active > 0) reasons.push('the lead is still enrolled; the sequence allows re-entry only after it ends');
  if (policy === 'any-time' && active >= q.sequence.maxActivePerLead) {
    reasons.push(`the lead already has ${active} active enrolment(s), the most this sequence allows (${q.sequence.maxActivePerLead})`);
  }
  return reasons.length ? { enrol: false, reasons } : { enrol: true, reasons: ['every enrolment condition holds'] };
}

// ---------------------------------------------------------------------------------------------------
// Dry-run

export interface DryRunEntry {
  stepId: string;
  type: NurtureStep['type'];
  at: string;
  note: string;
}

export interface DryRun {
  enrols: boolean;
  reasons: string[];
  path: DryRunEntry[];
  mails: { stepId: string; template: string; at: string }[];
  endsAt?: string;
}

/**
 * The path a sample lead would take from `startAt`, and when each mail would go. `engagement` says per
 * wait-for-engagement step whether the lead opens or clicks (at once, when the mail arrives) or does
 * nothing (the wait runs out). Scores change as the steps say, so later branches see them.
 */
export function dryRun(
  sequence: NurtureSequence, sampleLead: Lead, startAt: Date, engagement: Record<string, 'opened' | 'clicked' | 'none'> = {}, sampleEvent?: unknown,
): DryRun {
  const lead: Lead = { score: 0, ...sampleLead };
  const decision = decideEnrolment({ sequence, status: 'active', detail: sampleEvent, lead, place: { active: 0, total: 0 } });
  const result: DryRun = { enrols: decision.enrol, reasons: decision.reasons, path: [], mails: [] };
  if (!decision.enrol) return result;
  lead.score = Number(lead.score ?? 0) + fitPoints(sequence, lead);
  let now = startAt;
  let step: NurtureStep | undefined = firstStep(sequence);
  const sent = new Map<string, Date>();
  const visit = (note: string, at = now) => result.path.push({ stepId: step!.id, type: step!.type, at: at.toISOString(), note });
  while (step) {
    let outcome: boolean | undefined;
    switch (step.type) {
      case 'send-mail': {
        now = sendTime(sequence, lead, now);
        sent.set(step.id, now);
        result.mails.push({ stepId: step.id, template: step.template, at: now.toISOString() });
        visit(`mail ${step.template} to ${String(lead.email ?? 'the lead')}`);
        break;
      }
      case 'wait':
        now = waitEnd(sequence, step, lead, now);
        visit(`wait until ${now.toISOString()}`);
        break;
      case 'wait-for-engagement': {
        const did = engagement[step.id] ?? 'none';
        outcome = did === step.engagement || (step.engagement === 'opened' && did === 'clicked');
        const points = did === 'clicked' ? sequence.scoring?.clicked ?? 0 : did === 'opened' ? sequence.scoring?.opened ?? 0 : 0;
        lead.score = Number(lead.score) + points;
        if (outcome) now = new Date(Math.max(now.getTime(), sent.get(step.mailStep)?.getTime() ?? now.getTime()));
        else now = engagementDeadline(step, now);
        visit(outcome ? `the lead ${step.engagement} the mail of ${step.mailStep}: yes` : `no ${step.engagement === 'opened' ? 'open' : 'click'} within ${step.withinDays} days: no`);
        break;
      }
      case 'branch':
        outcome = evaluateCondition(step.condition, lead);
        visit(outcome ? 'the condition holds: yes' : 'the condition does not hold: no');
        break;
      case 'change-score':
        lead.score = Number(lead.score) + step.by;
        visit(`score ${step.by > 0 ? '+' : ''}${step.by} = ${String(lead.score)}`);
        break;
      case 'notify-owner':
        visit(`notify the owner: ${step.message}`);
        break;
      case 'create-task':
        visit(`task for the owner: ${step.subject}`);
        break;
      case 'create-opportunity':
        visit(`opportunity for the owner: ${step.opportunity.name}`);
        break;
      case 'set-status':
        lead.status = step.status;
        visit(`lead status ${step.status}`);
        break;
      case 'end':
        visit('end');
        break;
    }
    if (sequence.exitCondition && evaluateCondition(sequence.exitCondition, lead)) {
      result.path.push({ stepId: step.id, type: step.type, at: now.toISOString(), note: 'the lead matches the exit condition: exits' });
      break;
    }
    const nextId = nextStepId(sequence, step, outcome);
    step = nextId ? stepById(sequence, nextId) : undefined;
  }
  result.endsAt = now.toISOString();
  return result;
}
