import { LeadQualified } from '../../schemas/events';
import { nurtureKeys } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';
import { eventToAnnounce } from '../platform/outbox';
import { tableName } from '../platform/table';
import { createOpportunity, createTask, notifyOwner, opportunityIdFor } from './nurture-owner-tasks';
import { getItem, leadChange, readLead, timelineEntry, writeTogether, type Enrolment, type LeadItem, type WriteItem } from './nurture-store';

/*
 * Lead scoring and the MQL hand-off: fit points on enrolment, engagement points for opens and clicks,
 * a change-score step's points; the score crossing the sequence's threshold qualifies the lead once
 * and hands it to its owner (a note, and the task and opportunity the sequence asks for).
 *
 * Once across crashes: the score, the qualification, its timeline line, Lead.Qualified (through the
 * outbox) and a hand-off mark are one transaction with what caused them (a step's claim, an open, an
 * enrolment). The owner's note, task and opportunity come after it, named after the lead; a retry of the
 * cause finds the mark and creates whichever is missing (resumeHandOff).
 */

const QUALIFYING = new Set(['new', 'nurturing']);

/** Whether moving a lead with `status` from score `before` to `after` qualifies it under the sequence's threshold. */
export function qualifies(sequence: NurtureSequence, status: string, before: number, after: number): boolean {
  const threshold = sequence.scoring?.mqlThreshold;
  return threshold !== undefined && QUALIFYING.has(status) && before < threshold && after >= threshold;
}

/**
 * What qualifying the lead writes besides its status (which the caller's write of the lead sets): the
 * timeline line, Lead.Qualified and the hand-off mark.
 */
export function qualification(enrolment: Enrolment, sequence: NurtureSequence, lead: Pick<LeadItem, 'ownerId' | 'version'>, score: number, at: string): WriteItem[] {
  const opportunityId = sequence.scoring!.handOff.opportunity ? opportunityIdFor(`mql-${enrolment.leadId}`) : undefined;
  return [
    { Put: timelineEntry(enrolment.enrolmentId, at, 'qualified', { score, ...(opportunityId ? { opportunityId } : {}) }) },
    eventToAnnounce(`lead-qualified#${enrolment.leadId}#${lead.version}`, LeadQualified, {
      leadId: enrolment.leadId, ownerId: lead.ownerId, score, threshold: sequence.scoring!.mqlThreshold!,
      sequenceId: enrolment.sequenceId, ...(opportunityId ? { opportunityId } : {}), qualifiedAt: at,
    }, at).item,
    { Put: { TableName: tableName(), Item: { ...nurtureKeys.handOff(enrolment.enrolmentId), leadId: enrolment.leadId, at, score } } },
  ];
}

/**
 * Adds `by` to the lead's score (why: opened, clicked, step) with a line on the enrolment's timeline, in one
 * transaction with `also` (the claim of what caused it); crossing the MQL threshold qualifies the lead in
 * that transaction and hands it off. False when `also` found it done before. The write holds only for
 * the lead's version it read; a lead changed meanwhile is read again.
 */
export async function changeScore(enrolment: Enrolment, sequence: NurtureSequence, by: number, now: string, why: string, also: WriteItem[] = []): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const lead = await readLead(enrolment.leadId);
    if (!lead) throw new Error(`enrolment ${enrolment.enrolmentId} names lead ${enrolment.leadId}, which does not exist`);
    const score = (lead.score ?? 0) + by;
    const qualified = qualifies(sequence, lead.status, lead.score ?? 0, score);
    const failed = await writeTogether([
      ...also,
      leadChange(lead.id, { addScore: by, ...(qualified ? { set: { status: 'qualified' } } : {}) }, now, Number(lead.version)),
      { Put: timelineEntry(enrolment.enrolmentId, now, `score-${why}`, { by, score }) },
      ...(qualified ? qualification(enrolment, sequence, lead, score, now) : []),
    ]);
    if (failed === undefined) {
      if (qualified) await handOff(enrolment, sequence, { ...lead, status: 'qualified', score }, now);
      return true;
    }
    if (failed < also.length) return false;
    if (failed > also.length || attempt >= 5) throw new Error(`the score of lead ${lead.id} could not be changed: it kept changing (attempt ${attempt})`);
  }
}

/** The owner's part of the hand-off: a note, and the task and opportunity the sequence asks for, each once per lead. */
export async function handOff(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string): Promise<void> {
  const handOffSpec = sequence.scoring!.handOff;
  await notifyOwner(lead, `Lead ${lead.firstName} ${lead.lastName} is qualified (score ${lead.score})`, `handoff-${enrolment.leadId}`, now);
  if (handOffSpec.task) await createTask(lead, handOffSpec.task.subject, `handoff-task-${enrolment.leadId}`, now);
  if (handOffSpec.opportunity) await createOpportunity(lead, handOffSpec.opportunity, `mql-${enrolment.leadId}`, now);
}

/** A retry of what may have qualified the lead (a step, an open, an enrolment) finishes a hand-off that a crash cut short. */
export async function resumeHandOff(enrolment: Enrolment, sequence: NurtureSequence | undefined, now: string): Promise<void> {
  if (!sequence?.scoring || !(await getItem(nurtureKeys.handOff(enrolment.enrolmentId)))) return;
  const lead = await readLead(enrolment.leadId);
  if (lead) await handOff(enrolment, sequence, lead, now);
}
