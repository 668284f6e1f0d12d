import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { LeadEnrolled, type LeadCaptured, type RecordChanged } from '../../schemas/events';
import { itemFor, nurtureKeys } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';
import { Leads } from '../../schemas/records';
import type * as z from '../../schemas/zod';
import { publish } from '../platform/event-bus';
import { documentClient, tableName } from '../platform/table';
import { evaluateCondition } from '../rules/conditions';
import { startEnrolmentExecution } from './nurture-executions';
import { decideEnrolment, firstStep, fitPoints } from './nurture-plan';
import { changeScore } from './nurture-scoring';
import {
  activeHeads, addToTimeline, count, enrolmentsOfLead, hashOf, putEnrolment, putNew, readEnrolment, readLead, readUser, readVersion,
  suppressionOf, updateLead, type Enrolment, type LeadItem,
} from './nurture-store';

/*
 * Enrolment, the nurture router's main job: a triggering event (a captured lead, a lead created in the
 * CRM) enrols the lead in every active sequence it triggers whose conditions the lead meets, or records
 * why not; each enrolment starts its own execution of the nurture state machine.
 *
 * Exactly once: an enrolment's id is derived from (sequence, lead, triggering event), so a duplicate
 * event finds it (and StartExecution, named after it, is idempotent).
 */

/** An event that may start enrolments: a form's Lead.Captured, or the Record.Changed of a lead created in the CRM. */
export type TriggerEvent =
  | { trigger: 'Lead.Captured'; detailType: string; detail: z.output<typeof LeadCaptured.detail> }
  | { trigger: 'Lead.Created'; detailType: string; detail: z.output<typeof RecordChanged.detail> };

/** The lead a Lead.Captured names (one per e-mail address, so a form sent twice is one lead), made on first sight. */
async function leadFromCapture(detail: z.output<typeof LeadCaptured.detail>, ownerId: string, now: string): Promise<LeadItem> {
  const email = detail.email.toLowerCase();
  const id = `lead-${hashOf(email).slice(0, 32)}`;
  const existing = await readLead(id);
  if (existing) return existing;
  const owner = await readUser(ownerId);
  if (!owner) throw new Error(`the sequence assigns captured leads to ${ownerId}, who is not a user`);
  const record = Leads.record.parse({
    id, version: 1, createdAt: now, updatedAt: now, ownerId, departmentId: owner.departmentId,
    firstName: detail.firstName, lastName: detail.lastName, email,
    ...(detail.company ? { company: detail.company } : {}), ...(detail.phone ? { phone: detail.phone } : {}),
    ...(detail.interests ? { interests: detail.interests } : {}), ...(detail.region ? { region: detail.region } : {}),
    ...(detail.timeZone ? { timeZone: detail.timeZone } : {}), ...(detail.campaignId ? { campaignId: detail.campaignId } : {}),
    source: 'web-form', score: 0, status: 'new',
    marketingConsent: detail.consent.marketing ? { status: 'given', at: detail.capturedAt, source: `web form ${detail.formId}` } : { status: 'unknown' },
  });
  if (await putNew(itemFor(Leads.type, record))) return record as LeadItem;
  return (await readLead(id))!;
}

/** The same event (however often delivered) names the same enrolment. */
const triggerKeyOf = (event: TriggerEvent, lead: LeadItem) => (event.trigger === 'Lead.Captured'
  ? `${event.detail.formId}|${event.detail.capturedAt}|${event.detail.email.toLowerCase()}`
  : `created|${lead.id}`);

/** Every active sequence this event triggers, each deciding on its own whether the lead enrols. */
export async function enrolFromEvent(event: TriggerEvent, now: string): Promise<{ enrolled: string[]; refused: string[] }> {
  const result = { enrolled: [] as string[], refused: [] as string[] };
  const heads = (await activeHeads()).filter((h) => h.triggerEvent === event.trigger);
  for (const head of heads) {
    const sequence = await readVersion(head.sequenceId, head.activeVersion ?? head.latestVersion);
    if (!sequence) continue;
    const lead = event.trigger === 'Lead.Captured'
      ? await leadFromCapture(event.detail, sequence.trigger.assignCapturedLeadsTo!, now)
      : await readLead(event.detail.id);
    if (!lead || lead.deletedAt) continue;
    const enrolmentId = `enr-${hashOf(head.sequenceId, lead.id, triggerKeyOf(event, lead)).slice(0, 40)}`;
    const already = await readEnrolment(enrolmentId);
    if (already) {
      if (already.status === 'active') await startEnrolmentExecution(enrolmentId, firstStep(sequence).id);
      continue;
    }
    const existing = await enrolmentsOfLead(lead.id, head.sequenceId);
    const decision = decideEnrolment({
      sequence, status: head.status, detail: event.detail, lead, existing, suppressed: await suppressionOf(lead.email),
    });
    const refuse = async (reasons: string[]) => {
      result.refused.push(head.sequenceId);
      // an event the sequence does not listen for (another form) says nothing about why this lead is not in it
      const eventCondition = sequence.trigger.eventCondition;
      if (eventCondition && !evaluateCondition(eventCondition, event.detail)) return;
      await documentClient.send(new PutCommand({
        TableName: tableName(),
        Item: { ...nurtureKeys.decision(lead.id, head.sequenceId), sequenceId: head.sequenceId, sequenceName: sequence.name, at: now, trigger: event.detailType, reasons },
      }));
    };
    if (!decision.enrol) {
      await refuse(decision.reasons);
      continue;
    }
    const enrolment: Enrolment = {
      enrolmentId, sequenceId: head.sequenceId, sequenceVersion: head.activeVersion ?? head.latestVersion, leadId: lead.id,
      status: 'active', startedAt: now, trigger: event.detailType,
    };
    const item = { ...enrolment, ...nurtureKeys.enrolment(enrolmentId), ...nurtureKeys.enrolmentIndexes(enrolment.leadId, head.sequenceId, now, enrolmentId) };
    const written = await putEnrolment(item, enrolment, sequence);
    if (written === 'duplicate') continue;
    if (written === 'no-room') {
      await refuse([`another enrolment of this lead started at the same moment, and the sequence's re-entry policy (${roomPolicy(sequence)}) leaves no room for this one`]);
      continue;
    }
    result.enrolled.push(enrolmentId);
    await count(head.sequenceId, { enrolled: 1, active: 1 });
    await addToTimeline(enrolmentId, now, 'enrolled', { sequenceVersion: enrolment.sequenceVersion, trigger: event.detailType });
    const updated = await updateLead(enrolment.leadId, lead.status === 'new' || lead.status === 'nurtured' ? { status: 'nurturing' } : {}, now);
    const fit = fitPoints(sequence, updated);
    if (fit !== 0) await changeScore(enrolment, sequence, fit, now, 'fit');
    await publish(LeadEnrolled, {
      enrolmentId, sequenceId: head.sequenceId, sequenceVersion: enrolment.sequenceVersion, leadId: enrolment.leadId, enrolledAt: now,
    });
    await startEnrolmentExecution(enrolmentId, firstStep(sequence).id);
  }
  return result;
}

const roomPolicy = (sequence: NurtureSequence) =>
  `${sequence.reentry}${sequence.reentry === 'any-time' ? `, at most ${sequence.maxActivePerLead} active` : ''}`;
