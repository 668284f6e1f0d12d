/**
 * The nurture engine's data access: sequences (head + immutable versions), enrolments and their
 * timelines, step claims, the suppression list, "not enrolled" decisions and the per-sequence counters.
 * Every read is a GetItem or a Query on a key from schemas/keys/.
 */
import { createHash } from 'node:crypto';
import {
  GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { NURTURE_ENGINE_WRITER } from '../../schemas/events';
import { indexKeyAttributes, listPk, nurtureKeys, NURTURE_SEQUENCE_TYPE, recordKey } from '../../schemas/keys';
import { NurtureSequenceSchema, type ExitReason, type NurtureSequence, type SequenceHead, type SequenceStatus } from '../../schemas/nurture/sequence';
import { Leads, type Lead, type User } from '../../schemas/records';
import { conflict } from '../platform/errors';
import { toRecord } from '../records';
import { documentClient, queryAll, tableName, type TableItem } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';

type Item = Record<string, unknown>;

/**
 * A lead as the table keeps it: the record its schema wrote (with the owner and department that
 * defineRecord adds to owned records), and the table's own attributes.
 */
export type LeadItem = Lead & Item;
export type UserItem = User & Item;

/** An id derived from business keys, so a redelivered event or a retried step names the same item. */
export const hashOf = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

export const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

export async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item;
}

/** Puts the item unless one with its key exists; false when it did. */
export async function putNew(item: Item): Promise<boolean> {
  try {
    await documentClient.send(new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** One write of an all-or-nothing change, as TransactWriteItems names it. */
export type WriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Writes the items all or nothing: a lone Put or Update as a request of its own (half a transaction's
 * cost), more as one TransactWriteItems. Returns the index of the first item whose condition failed,
 * undefined when all were written.
 */
export async function writeTogether(items: WriteItem[]): Promise<number | undefined> {
  const [only] = items;
  try {
    if (items.length === 1 && only?.Put) await documentClient.send(new PutCommand(only.Put));
    else if (items.length === 1 && only?.Update) await documentClient.send(new UpdateCommand(only.Update));
    else await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
    return undefined;
  } catch (error) {
    if (isConditionFailure(error)) return 0;
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed < 0) throw error;
    return failed;
  }
}

/** Every item of one partition of the table or of an index, those whose sort key starts with skPrefix if given. */
export async function queryPartition(params: { index?: 'byCollection' | 'byStatus' | 'byType'; pk: string; skPrefix?: string; consistent?: boolean }): Promise<TableItem[]> {
  const attrs = params.index ? indexKeyAttributes(params.index) : { pk: 'pk', sk: 'sk' };
  return queryAll({
    ...(params.index ? { IndexName: params.index } : {}),
    KeyConditionExpression: params.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
    ExpressionAttributeNames: { '#pk': attrs.pk, ...(params.skPrefix ? { '#sk': attrs.sk } : {}) },
    ExpressionAttributeValues: { ':pk': params.pk, ...(params.skPrefix ? { ':sk': params.skPrefix } : {}) },
    ...(params.consistent && !params.index ? { ConsistentRead: true } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------
// Sequences

export const headItem = (head: SequenceHead): Item => ({
  ...head,
  ...nurtureKeys.sequenceHead(head.sequenceId),
  ...nurtureKeys.sequenceHeadIndexes(head.sequenceId, head.status, head.name),
  recordType: NURTURE_SEQUENCE_TYPE,
});

/** A sequence's head without its keys: a head written back gets index keys for its new status (headItem). */
export async function readHead(sequenceId: string): Promise<SequenceHead | undefined> {
  const item = await getItem(nurtureKeys.sequenceHead(sequenceId));
  return item && (toRecord(item) as unknown as SequenceHead);
}

const versions = new Map<string, NurtureSequence>();
/** A version is immutable, so each function instance reads it once. */
export async function readVersion(sequenceId: string, version: number): Promise<NurtureSequence | undefined> {
  const cacheKey = `${sequenceId}@${version}`;
  const cached = versions.get(cacheKey);
  if (cached) return cached;
  const item = await getItem(nurtureKeys.sequenceVersion(sequenceId, version));
  if (!item) return undefined;
  const document = NurtureSequenceSchema.parse(item.document) as NurtureSequence;
  versions.set(cacheKey, document);
  return document;
}

/**
 * The transaction item that tells every router instance the sequences changed: the generation goes up,
 * and the sequence is among those the router reads (an archived one leaves them, for good).
 */
export function sequencesChanged(sequenceId: string, archived = false) {
  return {
    Update: {
      TableName: tableName(),
      Key: nurtureKeys.sequencesGeneration(),
      UpdateExpression: archived ? 'ADD generation :one DELETE sequenceIds :id' : 'ADD generation :one, sequenceIds :id',
      ExpressionAttributeValues: { ':one': 1, ':id': new Set([sequenceId]) },
    },
  };
}

export interface SequencesGeneration { generation: number; sequenceIds: string[] }

/** The generation item, read consistently (undefined before the first sequence change wrote it). */
export async function readSequencesGeneration(): Promise<SequencesGeneration | undefined> {
  const item = await getItem(nurtureKeys.sequencesGeneration());
  if (!item) return undefined;
  return { generation: Number(item.generation ?? 0), sequenceIds: [...((item.sequenceIds as Set<string> | undefined) ?? [])] };
}


export const activeHeads = async (): Promise<SequenceHead[]> =>
  (await queryPartition({ index: 'byStatus', pk: listPk.byStatus(NURTURE_SEQUENCE_TYPE, 'active') })) as unknown as SequenceHead[];

export const allHeads = async (): Promise<SequenceHead[]> =>
  (await queryPartition({ index: 'byType', pk: listPk.byType(NURTURE_SEQUENCE_TYPE) })) as unknown as SequenceHead[];

export const isSequenceStatus = (value: unknown): value is SequenceStatus => ['draft', 'active', 'paused', 'archived'].includes(String(value));

// ---------------------------------------------------------------------------------------------------
// Counters and timelines

/** The counter shard an enrolment's counts go to, as a transaction's Update names it. */
export const statsShard = (sequenceId: string, enrolmentId: string) => ({
  TableName: tableName(),
  Key: nurtureKeys.sequenceStatsShard(sequenceId, Number.parseInt(hashOf(enrolmentId).slice(0, 1), 16)),
});

/** One entry of an enrolment's timeline, as a Put names it; the same entry written twice stays one. */
export const timelineEntry = (enrolmentId: string, at: string, what: string, detail: Item = {}) => ({
  TableName: tableName(),
  Item: { ...nurtureKeys.enrolmentEvent(enrolmentId, at, what), at, what, ...detail },
});

// ---------------------------------------------------------------------------------------------------
// Enrolments

export interface Enrolment {
  enrolmentId: string;
  sequenceId: string;
  sequenceVersion: number;
  leadId: string;
  status: 'active' | 'completed' | 'exited';
  startedAt: string;
  endedAt?: string;
  exitReason?: ExitReason;
  /** the step the enrolment is at, and when it runs if it waits (set by the step before it) */
  currentStep?: string;
  nextRunAt?: string;
  trigger: string;
}

export const readEnrolment = async (enrolmentId: string) => (await getItem(nurtureKeys.enrolment(enrolmentId))) as Enrolment | undefined;

/** A lead's enrolments, in one sequence or in all, oldest first. */
export async function enrolmentsOfLead(leadId: string, sequenceId?: string): Promise<Enrolment[]> {
  return (await queryPartition({ index: 'byCollection', pk: nurtureKeys.enrolmentIndexes(leadId, '', '', '').byCollectionPk, skPrefix: nurtureKeys.enrolmentsOfLead(sequenceId) })) as unknown as Enrolment[];
}

/** What else an enrolment's end writes in its transaction: other items, and more counters on its shard. */
export interface EndWrites { writes?: GuardedWrite[]; counts?: Record<string, number> }

/**
 * Ends an active enrolment, frees its place in the sequence and counts it, with what the end announces
 * (`also`) in the same transaction; false when it had already ended (then nothing happens twice).
 */
export async function endEnrolment(enrolment: Enrolment, status: 'completed' | 'exited', at: string, reason?: ExitReason, also: EndWrites = {}): Promise<boolean> {
  const counts = { active: -1, [status === 'completed' ? 'completed' : `exited.${reason}`]: 1, ...also.counts };
  const names = Object.keys(counts);
  const ended = conflict('the enrolment has ended already');
  try {
    await writeAllOrNothing([
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: nurtureKeys.enrolment(enrolment.enrolmentId),
            UpdateExpression: `SET #status = :status, endedAt = :at${reason ? ', exitReason = :reason' : ''}`,
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':at': at, ':active': 'active', ...(reason ? { ':reason': reason } : {}) },
          },
        },
        whenConditionFails: ended,
      },
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: nurtureKeys.leadInSequence(enrolment.leadId, enrolment.sequenceId),
            UpdateExpression: 'ADD #active :minusOne',
            ExpressionAttributeNames: { '#active': 'active' },
            ExpressionAttributeValues: { ':minusOne': -1 },
          },
        },
        whenConditionFails: ended,
      },
      // in the same transaction, so whoever reads the enrolment ended finds the end on its timeline
      { item: { Put: timelineEntry(enrolment.enrolmentId, at, status === 'completed' ? 'completed' : 'exited', reason ? { reason } : {}) }, whenConditionFails: ended },
      {
        item: {
          Update: {
            ...statsShard(enrolment.sequenceId, enrolment.enrolmentId),
            UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#c${i}`, n])),
            ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:c${i}`, counts[n]])),
          },
        },
        whenConditionFails: ended,
      },
      ...also.writes ?? [],
    ]);
  } catch (error) {
    if (error === ended) return false;
    throw error;
  }
  return true;
}

/** How many enrolments of the lead are running, in every sequence (one consistent read of its places). */
export async function activeEnrolmentsOfLead(leadId: string): Promise<number> {
  const place = nurtureKeys.leadInSequence(leadId, '');
  const places = await queryPartition({ pk: place.pk, skPrefix: place.sk, consistent: true });
  return places.reduce((sum, item) => sum + (typeof item.active === 'number' ? item.active : 0), 0);
}

// ---------------------------------------------------------------------------------------------------
// Leads, suppression

/** Who the engine is, as Record.Changed names the writer of a change. */
export const ENGINE = NURTURE_ENGINE_WRITER;

/**
 * Marks a lead's new version as the engine's: the table stream's Record.Changed then says so, and the
 * router's rule leaves out the echoes of its own writes. The version tells a later write by someone
 * else (which does not carry the mark forward) from this one.
 */
export const engineMark = (version: number) => ({ changedBy: ENGINE, changedByVersion: version });

export const readLead = async (leadId: string) => (await getItem(recordKey(Leads.type, leadId))) as LeadItem | undefined;

/** Changes a lead as the engine (a new version, so an editor holding the old one gets a 409). */
export const updateLead = (leadId: string, set: Partial<Lead>, now: string, add?: { score: number }): Promise<LeadItem> =>
  changeLead(leadId, set, now, add);

/** Moves a lead from one status to another; false when its status was no longer `from` (someone moved it first). */
export async function moveLeadStatus(leadId: string, from: Lead['status'], to: Lead['status'], now: string): Promise<boolean> {
  try {
    await changeLead(leadId, { status: to }, now, undefined, from);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The engine's change to a lead as an UpdateCommand's input; on `seenVersion`, only if the lead is still at the version read. */
function leadChangeInput(leadId: string, change: { set?: Partial<Lead>; addScore?: number }, now: string, condition: { ifStatus?: Lead['status']; seenVersion?: number } = {}) {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':one': 1, ':now': now };
  const sets = ['#updatedAt = :now'];
  Object.entries(change.set ?? {}).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    sets.push(`#f${i} = :v${i}`);
  });
  if (change.set?.status !== undefined) {
    names['#statusPk'] = 'byStatusPk';
    values[':statusPk'] = listPk.byStatus(Leads.type, change.set.status);
    sets.push('#statusPk = :statusPk');
  }
  const adds = ['#version :one'];
  if (change.addScore !== undefined) {
    names['#score'] = 'score';
    values[':by'] = change.addScore;
    adds.push('#score :by');
  }
  const conditions = ['attribute_exists(pk)'];
  if (condition.ifStatus) {
    names['#status'] = 'status';
    values[':ifStatus'] = condition.ifStatus;
    conditions.push('#status = :ifStatus');
  }
  if (condition.seenVersion !== undefined) {
    values[':seen'] = condition.seenVersion;
    conditions.push('#version = :seen');
  }
  return {
    TableName: tableName(),
    Key: recordKey(Leads.type, leadId),
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The engine's change to a lead as one write of a transaction (see leadChangeInput). */
export const leadChange = (leadId: string, change: { set?: Partial<Lead>; addScore?: number }, now: string, seenVersion?: number): WriteItem =>
  ({ Update: leadChangeInput(leadId, change, now, seenVersion === undefined ? {} : { seenVersion }) });

async function changeLead(leadId: string, set: Partial<Lead>, now: string, add?: { score: number }, ifStatus?: Lead['status']): Promise<LeadItem> {
  const { Attributes } = await documentClient.send(new UpdateCommand({
    ...leadChangeInput(leadId, { set, ...(add ? { addScore: add.score } : {}) }, now, ifStatus ? { ifStatus } : {}),
    ReturnValues: 'ALL_NEW',
  }));
  return Attributes as LeadItem;
}

/** An address on the suppression list, as a Put names it. */
export const suppressionEntry = (email: string, reason: 'unsubscribed' | 'bounced' | 'complained', at: string, leadId?: string) => ({
  TableName: tableName(),
  Item: { ...nurtureKeys.suppression(email), email: email.toLowerCase(), reason, at, ...(leadId ? { leadId } : {}) },
});

export async function suppress(email: string, reason: 'unsubscribed' | 'bounced' | 'complained', at: string, leadId?: string): Promise<void> {
  await documentClient.send(new PutCommand(suppressionEntry(email, reason, at, leadId)));
}
