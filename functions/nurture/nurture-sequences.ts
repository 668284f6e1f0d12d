/**
 * Managing nurture sequences through the API (marketing and admin): create (version 1, a draft), a new
 * immutable version on every edit, activate / pause / resume / archive, read with counters, dry-run;
 * and per lead, its enrolment timeline and why it was not enrolled.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SequenceDryRunBodySchema, NurtureSequenceSchema, SequenceLifecycleBodySchema, type NurtureSequence, type SequenceHead, type SequenceStatus } from '../../schemas/nurture/sequence';
import { nurtureKeys } from '../../schemas/keys';
import { assertCan } from '../platform/access';
import { conflict, forbidden, invalidField, notFound } from '../platform/errors';
import { dryRun } from './nurture-plan';
import { allHeads, enrolmentsOfLead, headItem, queryPartition, readHead, readLead, sequencesChanged, type Enrolment } from './nurture-store';
import { describeTimelineEntry, type TimelineEntry } from './nurture-timeline';
import type { Principal } from '../platform/principal';
import { toRecord } from '../records';
import { documentClient, tableName, type StoredItem } from '../platform/table';
import { parseInput } from '../platform/validation';

const MANAGERS = ['marketing', 'admin'] as const;
const READERS = ['marketing', 'admin', 'ops'] as const;

export function assertManager(principal: Principal) {
  if (!principal.roles.some((r) => (MANAGERS as readonly string[]).includes(r))) throw forbidden(`only ${MANAGERS.join(' and ')} manage nurture sequences`);
}
function assertReader(principal: Principal) {
  if (!principal.roles.some((r) => (READERS as readonly string[]).includes(r))) throw forbidden(`only ${READERS.join(', ')} read nurture sequences`);
}

const parseSequence = (body: unknown, where = 'body') => parseInput(NurtureSequenceSchema, body, where as 'body') as NurtureSequence;

const versionItem = (sequence: NurtureSequence, version: number, principal: Principal, now: string) => ({
  ...nurtureKeys.sequenceVersion(sequence.id, version), sequenceId: sequence.id, version, createdAt: now, createdBy: principal.userId, document: sequence,
});

export async function createSequence(principal: Principal, body: unknown, now: string) {
  assertManager(principal);
  const sequence = parseSequence(body);
  const head: SequenceHead = {
    sequenceId: sequence.id, name: sequence.name, status: 'draft', latestVersion: 1, triggerEvent: sequence.trigger.event,
    createdAt: now, updatedAt: now, createdBy: principal.userId,
  };
  try {
    await documentClient.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName(), Item: headItem(head), ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: tableName(), Item: versionItem(sequence, 1, principal, now), ConditionExpression: 'attribute_not_exists(pk)' } },
        sequencesChanged(sequence.id),
      ],
    }));
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw conflict(`a sequence ${sequence.id} exists already; edit it with POST /nurture/sequences/${sequence.id}/versions`);
    throw error;
  }
  return { ...head, version: 1, document: sequence };
}

const existingHead = async (id: string) => {
  const head = await readHead(id);
  if (!head) throw notFound(`no nurture sequence ${id}`);
  return head;
};

/** An edit is a new version; enrolments keep theirs. An active sequence enrols on the new version once activated with it. */
export async function addVersion(principal: Principal, id: string, body: unknown, now: string) {
  assertManager(principal);
  const head = await existingHead(id);
  if (head.status === 'archived') throw conflict(`sequence ${id} is archived`);
  const sequence = parseSequence(body);
  if (sequence.id !== id) throw invalidField('body.id', `must be ${id}, the sequence in the path`);
  const version = head.latestVersion + 1;
  const next: SequenceHead = { ...head, name: sequence.name, triggerEvent: sequence.trigger.event, latestVersion: version, updatedAt: now };
  try {
    await documentClient.send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(), Item: headItem(next),
            ConditionExpression: 'latestVersion = :seen', ExpressionAttributeValues: { ':seen': head.latestVersion },
          },
        },
        { Put: { TableName: tableName(), Item: versionItem(sequence, version, principal, now), ConditionExpression: 'attribute_not_exists(pk)' } },
        sequencesChanged(id),
      ],
    }));
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw conflict(`sequence ${id} was changed meanwhile; read it again`);
    throw error;
  }
  return { ...next, version, document: sequence };
}

const TRANSITIONS: Record<string, { from: SequenceStatus[]; to: SequenceStatus }> = {
  activate: { from: ['draft', 'active', 'paused'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived' },
};

export async function changeLifecycle(principal: Principal, id: string, body: unknown, now: string) {
  assertManager(principal);
  const { action, version } = parseInput(SequenceLifecycleBodySchema, body, 'body');
  const head = await existingHead(id);
  const transition = TRANSITIONS[action]!;
  if (!transition.from.includes(head.status)) throw conflict(`sequence ${id} is ${head.status}; it cannot ${action} (only from ${transition.from.join(', ')})`);
  const activeVersion = action === 'activate' ? version ?? head.latestVersion : head.activeVersion;
  if (activeVersion !== undefined && activeVersion > head.latestVersion) throw invalidField('body.version', `must be at most ${head.latestVersion}, the latest version`);
  const next: SequenceHead = { ...head, status: transition.to, updatedAt: now, ...(activeVersion !== undefined ? { activeVersion } : {}) };
  try {
    await documentClient.send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(), Item: headItem(next),
            ConditionExpression: '#status = :seen AND latestVersion = :latest',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':seen': head.status, ':latest': head.latestVersion },
          },
        },
        sequencesChanged(id, next.status === 'archived'),
      ],
    }));
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw conflict(`sequence ${id} was changed meanwhile; read it again`);
    throw error;
  }
  return next;
}

const STAT_FIELDS = ['captured', 'enrolled', 'waitingForWindow', 'active', 'completed', 'sent', 'opens', 'clicks', 'conversions'];

/** A sequence with its versions, the document in force and its counters: one Query of its partition. */
export async function readSequence(principal: Principal, id: string) {
  assertReader(principal);
  const items = await queryPartition({ pk: nurtureKeys.sequenceHead(id).pk, consistent: true });
  const bySk = new Map(items.map((item) => [item.sk, item]));
  const head = bySk.get(nurtureKeys.sequenceHead(id).sk) as SequenceHead | undefined;
  if (!head) throw notFound(`no nurture sequence ${id}`);
  const stats: Record<string, number> = {};
  for (const item of items.filter((i) => i.sk.startsWith(nurtureKeys.sequenceStatsPrefix))) {
    for (const [field, value] of Object.entries(item)) if (typeof value === 'number') stats[field] = (stats[field] ?? 0) + value;
  }
  const exited = Object.fromEntries(Object.entries(stats).filter(([k]) => k.startsWith('exited.')).map(([k, v]) => [k.slice('exited.'.length), Number(v)]));
  const versionItems = items.filter((item) => item.sk.startsWith('VERSION#'));
  const inForce = bySk.get(nurtureKeys.sequenceVersion(id, head.activeVersion ?? head.latestVersion).sk);
  return {
    ...toRecord(head as unknown as Record<string, unknown>),
    document: inForce ? NurtureSequenceSchema.parse(inForce.document) : undefined,
    versions: versionItems.map((v) => ({ version: Number(v.version), createdAt: v.createdAt, createdBy: v.createdBy })),
    stats: { ...Object.fromEntries(STAT_FIELDS.map((f) => [f, Number(stats[f] ?? 0)])), exited },
  };
}

export async function listSequences(principal: Principal) {
  assertReader(principal);
  return { items: (await allHeads()).map((h) => toRecord(h as unknown as Record<string, unknown>)) };
}

export async function dryRunSequence(principal: Principal, body: unknown) {
  assertReader(principal);
  const input = parseInput(SequenceDryRunBodySchema, body, 'body');
  const sequence = parseSequence(input.sequence, 'body.sequence');
  return dryRun(sequence, input.lead, new Date(input.startAt), input.engagement, input.event);
}

/** A lead's enrolments with their timelines, and each sequence's latest reason for not enrolling it. */
export async function leadNurture(principal: Principal, leadId: string) {
  const lead = await readLead(leadId);
  if (!lead) throw notFound(`no lead ${leadId}`);
  assertCan(principal, 'read', 'LEAD', lead, leadId);
  // the index finds the lead's enrolments; each one's state and timeline come from its own partition in
  // one consistent read, since the index lags the table (it could show an ended enrolment still active)
  const enrolments = await enrolmentsOfLead(leadId);
  const withTimelines = await Promise.all(enrolments.map(async ({ enrolmentId }) => {
    const partition = await queryPartition({ pk: nurtureKeys.enrolment(enrolmentId).pk, consistent: true });
    const e = partition.find((item) => item.sk === nurtureKeys.enrolment(enrolmentId).sk) as unknown as Enrolment;
    return {
      enrolmentId: e.enrolmentId, sequenceId: e.sequenceId, sequenceVersion: e.sequenceVersion, status: e.status,
      startedAt: e.startedAt, ...(e.endedAt ? { endedAt: e.endedAt } : {}), ...(e.exitReason ? { exitReason: e.exitReason } : {}),
      ...(e.currentStep ? { currentStep: e.currentStep } : {}),
      timeline: partition.filter((item) => item.sk.startsWith(nurtureKeys.enrolmentEventPrefix))
        .map((t) => {
          const { pk: _pk, sk: _sk, ...entry } = t as StoredItem<TimelineEntry>;
          return { ...entry, summary: describeTimelineEntry(entry) };
        }),
    };
  }));
  const notEnrolled = (await queryPartition({ pk: nurtureKeys.decisionPk(leadId) }))
    .map((d) => ({ sequenceId: d.sequenceId, sequenceName: d.sequenceName, at: d.at, trigger: d.trigger, reasons: d.reasons }));
  return { leadId, enrolments: withTimelines, notEnrolled };
}
