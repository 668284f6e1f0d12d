import { LeadEnrolled, type LeadCaptured, type RecordChanged } from '../../schemas/events';
import { itemFor, listPk, nurtureKeys, recordKey } from '../../schemas/keys';
import type { NurtureSequence } from '../../schemas/nurture/sequence';
import { Leads, Users } from '../../schemas/records';
import type * as z from '../../schemas/zod';
import { publishAll, type DetailOf } from '../platform/event-bus';
import { getItems, keyString, tableName } from '../platform/table';
import { evaluateCondition } from '../rules/conditions';
import { activeSequences, type ActiveSequence } from './nurture-active-sequences';
import { startEnrolmentExecution, type EnrolmentOf } from './nurture-executions';
import { onLeadChanged } from './nurture-exits';
import { decideEnrolment, firstStep, fitPoints, type PlaceInSequence } from './nurture-plan';
import { handOff, qualification, qualifies, resumeHandOff } from './nurture-scoring';
import {
  ENGINE, engineMark, hashOf, readEnrolment, statsShard, timelineEntry, writeTogether, type Enrolment, type LeadItem, type WriteItem,
} from './nurture-store';

/*
 * Enrolment, the nurture router's main job: a triggering event (a captured lead, a lead created in the
 * CRM) enrols the lead in every active sequence it triggers whose conditions the lead meets, or records
 * why not; each enrolment starts its own execution of the nurture state machine.
 *
 * A batch of events costs: one read of the sequences' generation, one BatchGetItem for the leads, their
 * suppression entries, their places in the sequences and the owners of new leads, then per enrolment one
 * TransactWriteItems (a new lead, the enrolment, the lead's place, the timeline's first entry and the
 * sequence's counters, all or nothing), then one PutEvents per ten enrolments.
 *
 * Exactly once: an enrolment's id is derived from (sequence, lead, triggering event), so a redelivered
 * event fails the enrolment's put condition, or the lead's place refuses it and the enrolment it made is
 * found, and counts nothing (StartExecution, named after it, is idempotent); no read comes first.
 */

/** An event that may start enrolments: a form's Lead.Captured, or the Record.Changed of a lead created in the CRM. */
export type TriggerEvent =
  | { trigger: 'Lead.Captured'; detailType: string; detail: z.output<typeof LeadCaptured.detail> }
  | { trigger: 'Lead.Created'; detailType: string; detail: z.output<typeof RecordChanged.detail> };

export interface EnrolmentOutcome {
  enrolled: string[];
  refused: string[];
}

/** One lead per e-mail address, so a form sent twice is one lead. */
const leadIdOf = (event: TriggerEvent) => (event.trigger === 'Lead.Captured' ? `lead-${hashOf(event.detail.email.toLowerCase()).slice(0, 32)}` : event.detail.id);

/** The same event (however often delivered) names the same enrolment. */
const triggerKeyOf = (event: TriggerEvent, leadId: string) => (event.trigger === 'Lead.Captured'
  ? `${event.detail.formId}|${event.detail.capturedAt}|${event.detail.email.toLowerCase()}`
  : `created|${leadId}`);

/** The lead a capture makes, assigned as the sequence says. */
function capturedLead(detail: z.output<typeof LeadCaptured.detail>, id: string, owner: Record<string, unknown>, now: string): LeadItem {
  return Leads.record.parse({
    id, version: 1, createdAt: now, updatedAt: now, ownerId: owner.id, departmentId: owner.departmentId,
    firstName: detail.firstName, lastName: detail.lastName, email: detail.email.toLowerCase(),
    ...(detail.company ? { company: detail.company } : {}), ...(detail.phone ? { phone: detail.phone } : {}),
    ...(detail.interests ? { interests: detail.interests } : {}), ...(detail.region ? { region: detail.region } : {}),
    ...(detail.timeZone ? { timeZone: detail.timeZone } : {}), ...(detail.campaignId ? { campaignId: detail.campaignId } : {}),
    source: 'web-form', score: 0, status: 'new',
    marketingConsent: detail.consent.marketing ? { status: 'given', at: detail.capturedAt, source: `web form ${detail.formId}` } : { status: 'unknown' },
  }) as LeadItem;
}

/** A lead changed since the batch read it, or created by another event at the same moment: the event is tried again. */
export class LeadMovedOn extends Error {}

/** What one batch knows: the items it read, and each lead as the engine last wrote it. */
interface BatchState {
  items: Map<string, Record<string, unknown>>;
  now: string;
  enrolled: DetailOf<typeof LeadEnrolled>[];
  starts: ({ firstStepId: string } & EnrolmentOf)[];
  afterwards: (() => Promise<void>)[];
}

const item = (state: BatchState, key: { pk: string; sk: string }) => state.items.get(keyString(key));

function placeOf(state: BatchState, leadId: string, sequenceId: string): PlaceInSequence {
  const place = item(state, nurtureKeys.leadInSequence(leadId, sequenceId));
  return { active: Number(place?.active ?? 0), total: Number(place?.total ?? 0) };
}

/**
 * The lead's item as a transaction writes it: put when new, else changed (its status moved on, fit points
 * added), conditional on the version read.
 */
function leadWrite(lead: LeadItem, isNew: boolean, change: { status?: string; addScore?: number }, now: string): WriteItem | undefined {
  const { status, addScore = 0 } = change;
  if (isNew) {
    const created = { ...lead, ...(status ? { status } : {}), ...(addScore !== 0 ? { score: Number(lead.score ?? 0) + addScore } : {}) };
    return { Put: { TableName: tableName(), Item: { ...itemFor(Leads.type, created), ...engineMark(1) }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
  if (!status && addScore === 0) return undefined;
  const version = Number(lead.version);
  return {
    Update: {
      TableName: tableName(),
      Key: recordKey(Leads.type, lead.id),
      UpdateExpression: [
        `SET ${status ? '#status = :status, byStatusPk = :statusPk, ' : ''}updatedAt = :now, #version = :next, changedBy = :by, changedByVersion = :next`,
        ...(addScore !== 0 ? ['ADD score :fit'] : []),
      ].join(' '),
      ConditionExpression: '#version = :seen',
      ExpressionAttributeNames: { '#version': 'version', ...(status ? { '#status': 'status' } : {}) },
      ExpressionAttributeValues: {
        ':now': now, ':next': version + 1, ':seen': version, ':by': ENGINE,
        ...(status ? { ':status': status, ':statusPk': listPk.byStatus(Leads.type, status) } : {}),
        ...(addScore !== 0 ? { ':fit': addScore } : {}),
      },
    },
  };
}

/** The condition on the lead's place in the sequence under which one more enrolment may start. */
function roomFor(sequence: NurtureSequence): { condition: string; values: Record<string, unknown> } {
  if (sequence.reentry === 'never') return { condition: 'attribute_not_exists(#total)', values: {} };
  const cap = sequence.reentry === 'after-exit' ? 1 : sequence.maxActivePerLead;
  return { condition: 'attribute_not_exists(#active) OR #active < :cap', values: { ':cap': cap } };
}

const roomPolicy = (sequence: NurtureSequence) =>
  `${sequence.reentry}${sequence.reentry === 'any-time' ? `, at most ${sequence.maxActivePerLead} active` : ''}`;

/** The lead as this event's sequences see it, and whether it is in the table yet (a capture's new lead is written with its first enrolment or decision). */
interface LeadSoFar {
  lead: LeadItem | undefined;
  stored: boolean;
}

/** One event against one sequence: enrols the lead or records why not. A capture's lead is made on first sight. */
async function enrolInSequence(state: BatchState, event: TriggerEvent, active: ActiveSequence, sofar: LeadSoFar, outcome: EnrolmentOutcome): Promise<LeadSoFar> {
  const { head, sequence, version } = active;
  const { now } = state;
  const leadId = leadIdOf(event);
  let lead = sofar.lead;
  if (!lead && event.trigger === 'Lead.Captured') {
    const owner = item(state, recordKey(Users.type, sequence.trigger.assignCapturedLeadsTo!));
    if (!owner) throw new Error(`the sequence ${head.sequenceId} assigns captured leads to ${sequence.trigger.assignCapturedLeadsTo}, who is not a user`);
    lead = capturedLead(event.detail, leadId, owner, now);
  }
  if (!lead || lead.deletedAt) return { lead, stored: sofar.stored };
  const isNew = !sofar.stored;
  const triggerKey = triggerKeyOf(event, leadId);
  const enrolmentId = `enr-${hashOf(head.sequenceId, leadId, triggerKey).slice(0, 40)}`;
  const shard = statsShard(head.sequenceId, enrolmentId);
  const suppression = typeof lead.email === 'string' ? item(state, nurtureKeys.suppression(lead.email)) : undefined;
  const decision = decideEnrolment({
    sequence, status: head.status, detail: event.detail, lead, place: placeOf(state, leadId, head.sequenceId),
    ...(suppression ? { suppressed: String(suppression.reason) } : {}),
  });

  /** Records why not; true when that wrote a new lead with it. */
  const refuse = async (reasons: string[]): Promise<boolean> => {
    outcome.refused.push(head.sequenceId);
    // an event the sequence does not listen for (another form) says nothing about why this lead is not in it
    const eventCondition = sequence.trigger.eventCondition;
    if (eventCondition && !evaluateCondition(eventCondition, event.detail)) return false;
    const newLead = isNew ? leadWrite(lead, true, {}, now) : undefined;
    const writes: WriteItem[] = [
      ...(newLead ? [newLead] : []),
      {
        Put: {
          TableName: tableName(),
          Item: { ...nurtureKeys.decision(leadId, head.sequenceId), sequenceId: head.sequenceId, sequenceName: sequence.name, at: now, trigger: event.detailType, triggerKey, reasons },
          // the same event decided twice (a redelivery) is counted once
          ConditionExpression: 'attribute_not_exists(pk) OR triggerKey <> :key',
          ExpressionAttributeValues: { ':key': triggerKey },
        },
      },
      { Update: { ...shard, UpdateExpression: 'ADD captured :one', ExpressionAttributeValues: { ':one': 1 } } },
    ];
    const failed = await writeTogether(writes);
    if (failed === 0 && newLead) throw new LeadMovedOn(`lead ${leadId} was created meanwhile`);
    return newLead !== undefined && failed === undefined;
  };

  /** This event enrolled the lead before (a redelivery): make sure it was announced, its execution runs and its hand-off is done; count nothing. */
  const enrolledBefore = (enrolment: Enrolment): LeadSoFar => {
    state.enrolled.push({ enrolmentId, sequenceId: head.sequenceId, sequenceVersion: enrolment.sequenceVersion, leadId, enrolledAt: enrolment.startedAt });
    state.starts.push({ enrolmentId, sequenceId: head.sequenceId, sequenceVersion: enrolment.sequenceVersion, leadId, firstStepId: firstStep(sequence).id });
    state.afterwards.push(() => resumeHandOff(enrolment, sequence, now));
    return { lead, stored: true };
  };

  if (!decision.enrol) {
    // The place this event's own enrolment took refuses it when it comes again: a router that died between
    // the enrolment's transaction and its execution's start left it to this redelivery, which must start it.
    // Read only then, so a launch's enrolments read nothing more.
    const before = placeOf(state, leadId, head.sequenceId).total > 0 ? await readEnrolment(enrolmentId) : undefined;
    if (before?.sequenceVersion === version) return enrolledBefore(before);
    const wroteLead = await refuse(decision.reasons);
    return { lead, stored: sofar.stored || wroteLead };
  }
  const enrolment: Enrolment = {
    enrolmentId, sequenceId: head.sequenceId, sequenceVersion: version, leadId, status: 'active', startedAt: now, trigger: event.detailType,
  };
  const enrolledStatus = lead.status === 'new' || lead.status === 'nurtured' ? 'nurturing' : lead.status;
  // fit points and, should they cross the threshold, the qualification are written with the enrolment
  const fit = fitPoints(sequence, { ...lead, status: enrolledStatus });
  const score = Number(lead.score ?? 0) + fit;
  const qualified = qualifies(sequence, enrolledStatus, Number(lead.score ?? 0), score);
  const nextStatus = qualified ? 'qualified' : enrolledStatus !== lead.status ? enrolledStatus : undefined;
  const writeLead = leadWrite(lead, isNew, { ...(nextStatus ? { status: nextStatus } : {}), addScore: fit }, now);
  const room = roomFor(sequence);
  const writes: WriteItem[] = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...enrolment, ...nurtureKeys.enrolment(enrolmentId), ...nurtureKeys.enrolmentIndexes(leadId, head.sequenceId, now, enrolmentId) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: nurtureKeys.leadInSequence(leadId, head.sequenceId),
        UpdateExpression: 'ADD #active :one, #total :one',
        ConditionExpression: room.condition,
        ExpressionAttributeNames: { '#active': 'active', '#total': 'total' },
        ExpressionAttributeValues: { ':one': 1, ...room.values },
      },
    },
    { Put: timelineEntry(enrolmentId, now, 'enrolled', { sequenceVersion: version, trigger: event.detailType }) },
    { Update: { ...shard, UpdateExpression: 'ADD captured :one, enrolled :one, active :one', ExpressionAttributeValues: { ':one': 1 } } },
    ...(writeLead ? [writeLead] : []),
    ...(qualified ? qualification(enrolment, sequence, { ownerId: lead.ownerId, version: isNew ? 0 : lead.version }, score, now) : []),
  ];
  const failed = await writeTogether(writes);
  // enrolled already: a redelivery that read the lead's place before the first delivery's transaction
  if (failed === 0) return enrolledBefore(enrolment);
  if (failed === 1) {
    const reason = `another enrolment of this lead started at the same moment, and the sequence's re-entry policy (${roomPolicy(sequence)}) leaves no room for this one`;
    const wroteLead = await refuse([reason]);
    return { lead, stored: sofar.stored || wroteLead };
  }
  if (failed !== undefined) throw new LeadMovedOn(`lead ${leadId} changed while it was being enrolled`);

  outcome.enrolled.push(enrolmentId);
  const updated = {
    ...lead, ...(nextStatus ? { status: nextStatus } : {}), ...(fit !== 0 ? { score } : {}), version: isNew ? 1 : Number(lead.version) + (writeLead ? 1 : 0),
  } as LeadItem;
  state.enrolled.push({ enrolmentId, sequenceId: head.sequenceId, sequenceVersion: version, leadId, enrolledAt: now });
  state.starts.push({ enrolmentId, sequenceId: head.sequenceId, sequenceVersion: version, leadId, firstStepId: firstStep(sequence).id });
  if (qualified) state.afterwards.push(() => handOff(enrolment, sequence, updated, now));
  // the engine's own change to a lead that was enrolled elsewhere may meet another sequence's exit condition
  if (!isNew && writeLead) state.afterwards.push(() => onLeadChanged(leadId, now));
  return { lead: updated, stored: true };
}

/** A created lead as a Record.Changed would describe it, for the sequences triggered by new leads. */
const createdDetail = (lead: LeadItem): z.output<typeof RecordChanged.detail> => ({
  recordType: Leads.type, id: lead.id, change: 'created', version: 1, changedFields: Object.keys(lead).filter((f) => !['id', 'version', 'createdAt', 'updatedAt'].includes(f)).sort(),
  ownerId: lead.ownerId, departmentId: lead.departmentId, changedBy: ENGINE,
});

/**
 * Enrols the leads of a batch of triggering events, each against every active sequence it triggers.
 * Returns each event's outcome or what went wrong with it (the event is then delivered again).
 * Events for the same lead run one after the other; different leads' events run side by side.
 */
export async function enrolAll(events: { key: string; event: TriggerEvent }[], now: string): Promise<Map<string, EnrolmentOutcome | Error>> {
  const results = new Map<string, EnrolmentOutcome | Error>();
  const sequences = await activeSequences();
  const triggered = (trigger: TriggerEvent['trigger']) => sequences.filter((s) => s.head.triggerEvent === trigger);
  const keys: { pk: string; sk: string }[] = [];
  for (const { event } of events) {
    const leadId = leadIdOf(event);
    keys.push(recordKey(Leads.type, leadId));
    if (event.trigger === 'Lead.Captured') keys.push(nurtureKeys.suppression(event.detail.email));
    for (const s of [...triggered(event.trigger), ...triggered('Lead.Created')]) {
      keys.push(nurtureKeys.leadInSequence(leadId, s.head.sequenceId));
      if (s.sequence.trigger.assignCapturedLeadsTo) keys.push(recordKey(Users.type, s.sequence.trigger.assignCapturedLeadsTo));
    }
  }
  const state: BatchState = { items: await getItems(keys), now, enrolled: [], starts: [], afterwards: [] };
  // a lead created in the CRM is found only now: its suppression entry, in one more read
  const emails = events.flatMap(({ event }) => {
    const email = event.trigger === 'Lead.Created' ? item(state, recordKey(Leads.type, event.detail.id))?.email : undefined;
    return typeof email === 'string' ? [nurtureKeys.suppression(email)] : [];
  });
  if (emails.length > 0) for (const [k, v] of await getItems(emails)) state.items.set(k, v);

  const byLead = new Map<string, { key: string; event: TriggerEvent }[]>();
  for (const entry of events) byLead.set(leadIdOf(entry.event), [...(byLead.get(leadIdOf(entry.event)) ?? []), entry]);
  await Promise.all([...byLead.entries()].map(async ([leadId, entries]) => {
    const existing = item(state, recordKey(Leads.type, leadId)) as LeadItem | undefined;
    let sofar: LeadSoFar = { lead: existing, stored: existing !== undefined };
    for (const { key, event } of entries) {
      const outcome: EnrolmentOutcome = { enrolled: [], refused: [] };
      try {
        const storedBefore = sofar.stored;
        for (const active of triggered(event.trigger)) sofar = await enrolInSequence(state, event, active, sofar, outcome);
        // a capture's lead that no sequence took nor refused for a reason is still a lead
        if (!sofar.stored && sofar.lead) {
          if ((await writeTogether([leadWrite(sofar.lead, true, {}, now)!])) === 0) throw new LeadMovedOn(`lead ${leadId} was created meanwhile`);
          sofar = { ...sofar, stored: true };
        }
        // the engine's own new lead reaches no router as a Record.Changed: it is a new lead here and now
        if (!storedBefore && sofar.lead && event.trigger === 'Lead.Captured') {
          const asCreated: TriggerEvent = { trigger: 'Lead.Created', detailType: 'Record.Changed', detail: createdDetail(sofar.lead) };
          for (const active of triggered('Lead.Created')) sofar = await enrolInSequence(state, asCreated, active, sofar, outcome);
        }
        results.set(key, outcome);
      } catch (error) {
        results.set(key, error as Error);
        return;
      }
    }
  }));
  // announced and started only once written; a failure here fails the whole batch, whose redelivery finds every enrolment written
  await publishAll(LeadEnrolled, state.enrolled);
  await Promise.all(state.starts.map(({ firstStepId, ...of }) => startEnrolmentExecution(of, firstStepId)));
  for (const after of state.afterwards) await after();
  return results;
}
