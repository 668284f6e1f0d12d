import { LeadConverted, LeadExitedSequence } from '../../schemas/events';
import { nurtureKeys } from '../../schemas/keys';
import type { ExitReason, NurtureSequence } from '../../schemas/nurture/sequence';
import { conflict } from '../platform/errors';
import { eventToAnnounce } from '../platform/outbox';
import { tableName } from '../platform/table';
import type { GuardedWrite } from '../platform/transact';
import { evaluateCondition } from '../rules/conditions';
import { stopEnrolmentExecution } from './nurture-executions';
import {
  activeEnrolmentsOfLead, endEnrolment, enrolmentsOfLead, moveLeadStatus, readLead, readVersion, type EndWrites, type Enrolment, type LeadItem,
} from './nurture-store';

/*
 * Enrolments that end before their last step: the lead converted, unsubscribed, bounced, complained,
 * matched the sequence's exit condition, or a step failed. Each exit stops the enrolment's execution
 * at once and is announced (Lead.ExitedSequence); a conversion is attributed to the sequence and its campaign.
 */

/**
 * A lead whose last running enrolment ended without nurture qualifying or converting it is `nurtured`:
 * out of nurture, for its owner to follow up or marketing to enrol again. Why it ended (completed,
 * unsubscribed, bounced...) is on the enrolment; a status someone set meanwhile is left alone. It is a
 * second write after the enrolment's end, made again by any retry, so a reader may see the enrolment
 * ended a moment before the lead moves.
 */
export async function leaveNurture(enrolment: Enrolment, now: string): Promise<void> {
  if (await activeEnrolmentsOfLead(enrolment.leadId) > 0) return;
  await moveLeadStatus(enrolment.leadId, 'nurturing', 'nurtured', now);
}

/** The enrolment ran its last step. A retry after a crash moves the lead on even though the end was written. */
export async function completeEnrolment(enrolment: Enrolment, now: string): Promise<void> {
  await endEnrolment(enrolment, 'completed', now);
  await leaveNurture(enrolment, now);
}

/**
 * Ends one enrolment for a reason, announcing it (Lead.ExitedSequence, with `also`) in the same transaction,
 * and (unless the execution itself is ending it) stops its execution at once.
 */
export async function exitEnrolment(enrolment: Enrolment, reason: ExitReason, now: string, stopExecution = true, also: EndWrites = {}): Promise<boolean> {
  const ended = await endEnrolment(enrolment, 'exited', now, reason, { ...also, writes: [
    eventToAnnounce(`lead-exited#${enrolment.enrolmentId}`, LeadExitedSequence, {
      enrolmentId: enrolment.enrolmentId, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
      leadId: enrolment.leadId, reason, exitedAt: now,
    }, now),
    ...also.writes ?? [],
  ] });
  await leaveNurture(enrolment, now);
  // an execution whose enrolment ended by an earlier attempt ends at its next step
  if (ended && stopExecution) await stopEnrolmentExecution(enrolment.enrolmentId, reason);
  return ended;
}

/** Every active enrolment of the lead exits (unsubscribe, bounce, complaint, conversion). */
export async function exitLead(leadId: string, reason: ExitReason, now: string): Promise<Enrolment[]> {
  const active = (await enrolmentsOfLead(leadId)).filter((e) => e.status === 'active');
  const exited: Enrolment[] = [];
  for (const enrolment of active) if (await exitEnrolment(enrolment, reason, now)) exited.push(enrolment);
  return exited;
}

/**
 * A lead changed (Record.Changed): a conversion ends its enrolments and is attributed to each sequence
 * and its campaign; an exit condition that now holds ends that sequence's enrolment.
 */
export async function onLeadChanged(leadId: string, now: string): Promise<void> {
  const lead = await readLead(leadId);
  if (!lead) return;
  const active = (await enrolmentsOfLead(leadId)).filter((e) => e.status === 'active');
  for (const enrolment of active) {
    const sequence = await readVersion(enrolment.sequenceId, enrolment.sequenceVersion);
    if (!sequence) continue;
    if (lead.status === 'converted') {
      await exitConverted(enrolment, sequence, lead, now);
    } else if (sequence.exitCondition && evaluateCondition(sequence.exitCondition, lead)) {
      await exitEnrolment(enrolment, 'exit-condition', now);
    }
  }
}

/**
 * The lead converted: the enrolment exits (its execution stopped, unless the execution itself is ending it)
 * and, in the same transaction, the conversion is attributed to the sequence and its campaign, counted
 * and announced (Lead.Converted), once per enrolment.
 */
export async function exitConverted(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string, stopExecution = true): Promise<void> {
  await exitEnrolment(enrolment, 'converted', now, stopExecution, { writes: conversionWrites(enrolment, sequence, lead, now), counts: { conversions: 1 } });
}

/** The campaign's conversion item (the first conversion of the lead in the sequence is kept) and its event. */
function conversionWrites(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string): GuardedWrite[] {
  const campaignId = sequence.campaignId ?? lead.campaignId;
  const fields = {
    campaignId: campaignId ?? null, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
    enrolmentId: enrolment.enrolmentId, leadId: enrolment.leadId, convertedAt: now,
  };
  const names = Object.keys(fields);
  const nothingFails = conflict('a conversion is never refused');
  return [
    {
      item: {
        Update: {
          TableName: tableName(), Key: nurtureKeys.conversion(campaignId, enrolment.sequenceId, enrolment.leadId),
          UpdateExpression: `SET ${names.map((n, i) => `#f${i} = if_not_exists(#f${i}, :f${i})`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:f${i}`, fields[n as keyof typeof fields]])),
        },
      },
      whenConditionFails: nothingFails,
    },
    eventToAnnounce(`lead-converted#${enrolment.enrolmentId}`, LeadConverted, {
      leadId: enrolment.leadId, sequenceId: enrolment.sequenceId, ...(campaignId ? { campaignId } : {}), convertedAt: now,
    }, now),
  ];
}
