import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LeadQualified } from '../../schemas/events';
import { listPk, recordKey } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';
import { Leads } from '../../schemas/records';
import { publish } from '../platform/event-bus';
import { documentClient, tableName } from '../platform/table';
import { createOpportunity, createTask, notifyOwner } from './nurture-owner-tasks';
import { addToTimeline, isConditionFailure, readLead, updateLead, type Enrolment, type LeadItem } from './nurture-store';

/*
 * Lead scoring and the MQL hand-off: fit points on enrolment, engagement points for opens and clicks,
 * a change-score step's points; the score crossing the sequence's threshold qualifies the lead once
 * and hands it to its owner (a note, and the task and opportunity the sequence asks for).
 */

/** Adds `by` to the lead's score (why: fit, opened, clicked, step); crossing the MQL threshold hands the lead off. */
export async function changeScore(enrolment: Enrolment, sequence: NurtureSequence, by: number, now: string, why: string): Promise<LeadItem> {
  const before = await readLead(enrolment.leadId);
  const lead = await updateLead(enrolment.leadId, {}, now, { score: by });
  await addToTimeline(enrolment.enrolmentId, now, `score-${why}`, { by, score: lead.score });
  const threshold = sequence.scoring?.mqlThreshold;
  if (threshold !== undefined && (before?.score ?? 0) < threshold && lead.score >= threshold) {
    await handOff(enrolment, sequence, lead, now);
  }
  return lead;
}

/** The MQL hand-off: once per lead (the status change is conditional), qualified, owner notified, task/opportunity created. */
async function handOff(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string): Promise<void> {
  try {
    await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: recordKey(Leads.type, enrolment.leadId),
      UpdateExpression: 'SET #status = :qualified, byStatusPk = :statusPk, updatedAt = :now ADD #version :one',
      ConditionExpression: '#status IN (:new, :nurturing)',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: { ':qualified': 'qualified', ':statusPk': listPk.byStatus(Leads.type, 'qualified'), ':now': now, ':one': 1, ':new': 'new', ':nurturing': 'nurturing' },
    }));
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw error;
  }
  const handOffSpec = sequence.scoring!.handOff;
  await notifyOwner(lead, `Lead ${lead.firstName} ${lead.lastName} is qualified (score ${lead.score})`, `handoff-${enrolment.leadId}`, now);
  if (handOffSpec.task) await createTask(lead, handOffSpec.task.subject, `handoff-task-${enrolment.leadId}`, now);
  const opportunityId = handOffSpec.opportunity ? await createOpportunity(lead, handOffSpec.opportunity, `mql-${enrolment.leadId}`, now) : undefined;
  await addToTimeline(enrolment.enrolmentId, now, 'qualified', { score: lead.score, ...(opportunityId ? { opportunityId } : {}) });
  await publish(LeadQualified, {
    leadId: enrolment.leadId, ownerId: lead.ownerId, score: lead.score, threshold: sequence.scoring!.mqlThreshold,
    sequenceId: enrolment.sequenceId, ...(opportunityId ? { opportunityId } : {}), qualifiedAt: now,
  });
}
