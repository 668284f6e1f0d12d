import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Money } from '../../schemas/common';
import { CampaignPlanned, type LeadCaptured, type OrderPlaced, type PaymentReceived } from '../../schemas/events';
import { ATTRIBUTION_PREFIX, attributionKey, effectReportKey, itemFor, recordKey, type SettlementTargetType } from '../../schemas/keys';
import { Campaigns, Promotions, type EffectReport } from '../../schemas/promotions/records';
import { referencesIn } from '../../schemas/references';
import { assertCan, covers, scopeOf } from '../platform/access';
import { conflict, invalidField, notFound } from '../platform/errors';
import { eventToAnnounce } from '../platform/outbox';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import type { Delivered } from '../platform/task-handler';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { parseInput } from '../platform/validation';
import { effectReportOf } from './effect-report';
import { ownershipOf, promotionsOfCampaign, promotionView, readRecord, type CampaignRecord } from './promotion-store';

/*
 * Campaigns and revenue attribution (DOMAIN.md process 3); settling them is campaign-settlement.ts.
 *
 * What is settled is a campaign, or a promotion without one (the "target"). Orders, payments and leads
 * whose event names a campaign or promotion are attributed to the target, one item per sending
 * system's id, so a redelivered payment counts once; one that arrives after settlement is recorded
 * and flagged late, never lost, and left out of the settled figures.
 */

export type Target = { type: 'campaign' | 'promotion'; id: string };
export const targetType = (target: Target): SettlementTargetType => (target.type === 'campaign' ? 'CAMPAIGN' : 'PROMOTION');
const DAY_MS = 24 * 3600 * 1000;

export async function createCampaign(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Campaigns.create, body, 'body');
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt)) throw invalidField('body.endsAt', 'must be after startsAt');
  const record: CampaignRecord = {
    ...input, ...ownershipOf(input, { ownerId: principal.userId, departmentId: principal.departmentId }), id: randomUUID(), version: 1, createdAt: now, updatedAt: now, status: 'planned',
  };
  assertCan(principal, 'write', Campaigns.type, record);
  const references = referencesIn(Campaigns.record, record);
  await assertReadableReferences(principal, references);
  const settleAt = new Date(Date.parse(input.endsAt) + input.settlementDelayDays * DAY_MS).toISOString();
  await writeAllOrNothing([
    {
      item: { Put: { TableName: tableName(), Item: itemFor(Campaigns.type, record), ConditionExpression: 'attribute_not_exists(pk)' } },
      whenConditionFails: conflict(`campaign ${record.id} exists`),
    },
    ...referenceGuards(references),
    // announced in the same transaction: its settlement is scheduled however the request ends after this
    eventToAnnounce(`campaign-planned#${record.id}`, CampaignPlanned, { campaignId: record.id, settlement: { target: { type: 'campaign', id: record.id }, settleAt } }, now),
  ]);
  return promotionView(record);
}

// ---------------------------------------------------------------------------------------------------
// Attribution

/** An order, payment or lead from another system that may name a campaign or promotion. */
export type AttributableEvent = Delivered<typeof OrderPlaced | typeof PaymentReceived | typeof LeadCaptured>;

/** What is kept of one attributed event, in its target's partition. */
export interface Attribution {
  kind: 'order' | 'payment' | 'lead';
  externalId: string;
  at: string;
  eventId: string;
  recordedAt: string;
  target: Target;
  promotionId?: string;
  amount?: Money;
  late?: boolean;
  unknownTarget?: boolean;
}

async function settlementTargetOf(detail: { campaignId?: string; promotionId?: string }): Promise<Target | undefined> {
  if (detail.campaignId) return { type: 'campaign', id: detail.campaignId };
  if (!detail.promotionId) return undefined;
  const promotion = await readRecord(Promotions.type, detail.promotionId);
  return promotion?.campaignId ? { type: 'campaign', id: promotion.campaignId } : { type: 'promotion', id: detail.promotionId };
}

/** The kind, the sending system's id, the amount and the time of an attributable event. */
function attributed(event: AttributableEvent): Pick<Attribution, 'kind' | 'externalId' | 'amount' | 'at'> {
  const d = event.detail;
  if ('placedAt' in d) return { kind: 'order', externalId: d.orderId, amount: d.amount, at: d.placedAt };
  if ('receivedAt' in d) return { kind: 'payment', externalId: d.paymentId, amount: d.amount, at: d.receivedAt };
  return { kind: 'lead', externalId: `${d.formId}:${d.email.toLowerCase()}`, at: d.capturedAt };
}

/** Records one attributed order, payment or lead once; a repeat of the same id is a no-op. */
export async function attributeEvent(event: AttributableEvent, now: string) {
  const target = await settlementTargetOf(event.detail);
  if (!target) return { recorded: false, reason: 'the event names no campaign or promotion' };
  const { kind, externalId, amount, at } = attributed(event);
  const targetItem = await readRecord(targetType(target), target.id);
  const late = targetItem?.status === 'settled';
  const item: Attribution = {
    kind, externalId, at, eventId: event.id, recordedAt: now, target,
    ...(event.detail.promotionId ? { promotionId: event.detail.promotionId } : {}),
    ...(amount ? { amount } : {}),
    ...(late ? { late: true } : {}),
    ...(!targetItem ? { unknownTarget: true } : {}),
  };
  try {
    await documentClient.send(new PutCommand({
      TableName: tableName(),
      Item: { ...attributionKey(targetType(target), target.id, kind, externalId), ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return { recorded: false, reason: 'already recorded', target };
    throw error;
  }
  return { recorded: true, target, late };
}

/** Everything attributed to a target, late events included. */
export async function attributionsOf(target: Target): Promise<Attribution[]> {
  const items: Attribution[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': recordKey(targetType(target), target.id).pk, ':prefix': ATTRIBUTION_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }));
    items.push(...((page.Items ?? []) as Attribution[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The effect report stored at settlement, or nothing before it. */
export async function storedEffectReport(target: Target): Promise<EffectReport | undefined> {
  const stored = await documentClient.send(new GetCommand({ TableName: tableName(), Key: effectReportKey(targetType(target), target.id), ConsistentRead: true }));
  return stored.Item?.report as EffectReport | undefined;
}

/**
 * The stored effect report, with the late events that arrived since settlement (flagged, not in the
 * figures). A campaign spans departments: a reader who may read only some of its promotions (a sales
 * rep: their department's) gets the report of those alone, each figure computed again over their rows
 * and the events attributed to them; what belongs to the campaign as a whole (events attributed to no
 * promotion, nurture conversions) is left out. `scope` says which: all, department or own.
 */
export async function effectReport(principal: Principal, target: Target) {
  const type = targetType(target);
  const record = await readRecord(type, target.id);
  if (!record || record.deletedAt) throw notFound(`no ${target.type} ${target.id}`);
  assertCan(principal, 'read', type, record, target.id);
  const report = await storedEffectReport(target);
  if (!report) throw notFound(`${target.type} ${target.id} is not settled yet (status ${record.status})`);
  const scope = target.type === 'campaign' ? scopeOf(principal, Promotions.type, 'read') : 'all';
  const readable = scope === 'all' ? undefined
    : new Set((await promotionsOfCampaign(target.id)).filter((p) => covers(scope, principal, p)).map((p) => p.id));
  const attributions = (await attributionsOf(target)).filter((a) => !readable || (a.promotionId !== undefined && readable.has(a.promotionId)));
  const figures = readable ? effectReportOf({
    target: report.target, settledAt: report.settledAt, currency: report.currency, conversions: null, attributed: attributions,
    promotions: report.promotions.filter((p) => readable.has(p.id)).map(({ id, name, ...money }) => ({ id, name, money })),
  }) : report;
  const late = attributions.filter((a) => a.late)
    .map((a) => ({ kind: a.kind, externalId: a.externalId, amount: a.amount, at: a.at, recordedAt: a.recordedAt }));
  return { ...figures, scope, lateEvents: late.length, late };
}

/** The report of whatever has this id: a campaign, or a promotion settled on its own. */
export async function effectReportById(principal: Principal, id: string) {
  const isCampaign = await readRecord(Campaigns.type, id);
  return effectReport(principal, { type: isCampaign ? 'campaign' : 'promotion', id });
}
