import { LeadConverted, LeadExitedSequence } from '../../schemas/events';
import { nurtureKeys } from '../../schemas/keys';
import type { ExitReason, NurtureSequence } from '../../schemas/nurture/sequence';
import { publish } from '../platform/event-bus';
import { evaluateCondition } from '../rules/conditions';
import { stopEnrolmentExecution } from './nurture-executions';
import {
  activeEnrolmentsOfLead, count, endEnrolment, enrolmentsOfLead, moveLeadStatus, putNew, readLead, readVersion, type Enrolment, type LeadItem,
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
async function leaveNurture(enrolment: Enrolment, now: string): Promise<void> {
  if (await activeEnrolmentsOfLead(enrolment.leadId) > 0) return;
  await moveLeadStatus(enrolment.leadId, 'nurturing', 'nurtured', now);
}

/** The enrolment ran its last step. A retry after a crash moves the lead on even though the end was written. */
export async function completeEnrolment(enrolment: Enrolment, now: string): Promise<void> {
  await endEnrolment(enrolment, 'completed', now);
  await leaveNurture(enrolment, now);
}

/** Ends one enrolment for a reason and (unless the execution itself is ending it) stops its execution at once. */
export async function exitEnrolment(enrolment: Enrolment, reason: ExitReason, now: string, stopExecution = true): Promise<boolean> {
  const ended = await endEnrolment(enrolment, 'exited', now, reason);
  await leaveNurture(enrolment, now);
  if (!ended) return false;
  if (stopExecution) await stopEnrolmentExecution(enrolment.enrolmentId, reason);
  await publish(LeadExitedSequence, {
    enrolmentId: enrolment.enrolmentId, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
    leadId: enrolment.leadId, reason, exitedAt: now,
  });
  return true;
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

/** The lead converted: the enrolment exits (its execution stopped, unless the execution itself is ending it) and the conversion is attributed once. */
export async function exitConverted(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string, stopExecution = true): Promise<void> {
  if (await exitEnrolment(enrolment, 'converted', now, stopExecution)) await attributeConversion(enrolment, sequence, lead, now);
}

async function attributeConversion(enrolment: Enrolment, sequence: NurtureSequence, lead: LeadItem, now: string): Promise<void> {
  const campaignId = sequence.campaignId ?? lead.campaignId;
  const stored = await putNew({
    ...nurtureKeys.conversion(campaignId, enrolment.sequenceId, enrolment.leadId),
    campaignId: campaignId ?? null, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
    enrolmentId: enrolment.enrolmentId, leadId: enrolment.leadId, convertedAt: now,
  });
  if (!stored) return;
  await count(enrolment.sequenceId, { conversions: 1 });
  await publish(LeadConverted, {
    leadId: enrolment.leadId, sequenceId: enrolment.sequenceId, ...(campaignId ? { campaignId } : {}), convertedAt: now,
  });
}
