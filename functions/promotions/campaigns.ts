import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CampaignPlanned } from '../../schemas/events';
import {
  ATTRIBUTION_PREFIX, attributionKey, collectionPk, effectReportKey, indexKeyAttributes, itemFor, nurtureKeys, recordKey, type SettlementTargetType,
} from '../../schemas/keys';
import { Campaigns, Promotions, type EffectReport } from '../../schemas/promotions/records';
import { assertCan } from '../platform/access';
import { conflict, invalidField, notFound } from '../platform/errors';
import { putEvent } from '../platform/event-bus';
import { moveFunds } from './fund-ledger';
import type { Principal } from '../platform/principal';
import { effectRatios, formatMoney } from './promotion-money';
import { promotionView, readItem } from './promotions';
import { recordUpdate } from '../platform/record-update';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * Campaigns, revenue attribution and settlement (DOMAIN.md process 3).
 *
 * What is settled is a campaign, or a promotion without one (the "target"). Orders, payments and leads
 * whose event names a campaign or promotion are attributed to the target, one item per sending
 * system's id, so a redelivered payment counts once; one that arrives after settlement is recorded
 * and flagged late, never lost, and left out of the settled figures.
 *
 * Settlement waits while a promotion of the target is still under way (submitted, approved, active,
 * ended and not closed out) or a claim of it is pending; then it sums revenue (payments), orders,
 * leads and cost (approved claims), releases each promotion's unclaimed reservation to its fund,
 * stores the effect report and marks everything settled.
 */

type Item = Record<string, unknown>;
export type Target = { type: 'campaign' | 'promotion'; id: string };
const targetType = (target: Target): SettlementTargetType => (target.type === 'campaign' ? 'CAMPAIGN' : 'PROMOTION');
const DAY_MS = 24 * 3600 * 1000;

export async function createCampaign(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Campaigns.create, body, 'body');
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt)) throw invalidField('body.endsAt', 'must be after startsAt');
  const record: Item = {
    ownerId: principal.userId, departmentId: principal.departmentId, ...input, id: randomUUID(), version: 1, createdAt: now, updatedAt: now, status: 'planned',
  };
  assertCan(principal, 'write', Campaigns.type, record);
  await writeAllOrNothing([{
    item: { Put: { TableName: tableName(), Item: itemFor(Campaigns.type, record), ConditionExpression: 'attribute_not_exists(pk)' } },
    whenConditionFails: conflict(`campaign ${String(record.id)} exists`),
  }]);
  const settleAt = new Date(Date.parse(input.endsAt) + input.settlementDelayDays * DAY_MS).toISOString();
  await putEvent(CampaignPlanned.source, CampaignPlanned.detailType, {
    campaignId: record.id, settlement: { target: { type: 'campaign', id: record.id }, settleAt },
  });
  return promotionView(record);
}

// ---------------------------------------------------------------------------------------------------
// Attribution

export interface AttributableEvent {
  detailType: 'Order.Placed' | 'Payment.Received' | 'Lead.Captured';
  eventId: string;
  detail: Item & { campaignId?: string; promotionId?: string };
}

async function settlementTargetOf(detail: { campaignId?: string; promotionId?: string }): Promise<Target | undefined> {
  if (detail.campaignId) return { type: 'campaign', id: detail.campaignId };
  if (!detail.promotionId) return undefined;
  const promotion = await readItem(Promotions.type, detail.promotionId);
  return promotion?.campaignId ? { type: 'campaign', id: String(promotion.campaignId) } : { type: 'promotion', id: detail.promotionId };
}

/** Records one attributed order, payment or lead once; a repeat of the same id is a no-op. */
export async function attributeEvent(event: AttributableEvent, now: string) {
  const target = await settlementTargetOf(event.detail);
  if (!target) return { recorded: false, reason: 'the event names no campaign or promotion' };
  const d = event.detail;
  const [kind, externalId, amount, at] = event.detailType === 'Order.Placed' ? ['order', d.orderId, d.amount, d.placedAt] as const
    : event.detailType === 'Payment.Received' ? ['payment', d.paymentId, d.amount, d.receivedAt] as const
    : ['lead', `${String(d.formId)}:${String(d.email).toLowerCase()}`, undefined, d.capturedAt] as const;
  const targetItem = await readItem(targetType(target), target.id);
  const late = targetItem?.status === 'settled';
  try {
    await documentClient.send(new PutCommand({
      TableName: tableName(),
      Item: {
        ...attributionKey(targetType(target), target.id, kind, String(externalId)),
        kind, externalId, at, eventId: event.eventId, recordedAt: now, target,
        ...(d.promotionId ? { promotionId: d.promotionId } : {}),
        ...(amount ? { amount } : {}),
        ...(late ? { late: true } : {}),
        ...(!targetItem ? { unknownTarget: true } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return { recorded: false, reason: 'already recorded', target };
    throw error;
  }
  return { recorded: true, target, late };
}

async function attributionsOf(target: Target) {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': recordKey(targetType(target), target.id).pk, ':prefix': ATTRIBUTION_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function promotionsOf(target: Target, targetRecord: Item): Promise<Item[]> {
  if (target.type === 'promotion') return [targetRecord];
  const attrs = indexKeyAttributes('byCollection');
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(), IndexName: 'byCollection',
      KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': attrs.pk },
      ExpressionAttributeValues: { ':pk': collectionPk.campaign(target.id) }, ExclusiveStartKey: start,
    }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  // the index is eventually consistent: read each promotion itself
  return (await Promise.all(items.map((i) => readItem(Promotions.type, String(i.id))))).filter((p): p is Item => !!p && !p.deletedAt);
}

// ---------------------------------------------------------------------------------------------------
// Conversions from nurture sequences: the nurture engine keeps one item per lead converted
// by a sequence, in its campaign's partition (nurtureKeys.conversion). A promotion settled without a
// campaign has no sequences of its own: null ("not available"), not 0.
export async function nurtureConversions(target: Target): Promise<number | null> {
  if (target.type !== 'campaign') return null;
  let conversions = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': nurtureKeys.conversionsOfCampaign(target.id) },
      Select: 'COUNT', ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    conversions += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return conversions;
}

const UNDER_WAY = ['submitted', 'approved', 'active', 'ended'];

export type SettleResult =
  | { settled: false; reason: string }
  | { settled: true; report: EffectReport; releasedMinor: number; mail: { to: string[]; subject: string; text: string } };

export async function settle(target: Target, now: string): Promise<SettleResult> {
  const type = targetType(target);
  const record = await readItem(type, target.id);
  if (!record) throw notFound(`no ${target.type} ${target.id} to settle`);
  const promotions = (await promotionsOf(target, record)).filter((p) => !['draft', 'rejected', 'cancelled'].includes(String(p.status)));
  const busy = promotions.find((p) => UNDER_WAY.includes(String(p.status)));
  if (busy) return { settled: false, reason: `promotion ${String(busy.name)} is still ${String(busy.status)}` };
  const pending = promotions.find((p) => (p.money as Item).pendingClaimMinor as number > 0);
  if (pending) return { settled: false, reason: `a claim on promotion ${String(pending.name)} is still pending` };

  const owner = await readItem('USER', String(record.ownerId));
  const mailTo = [String(owner?.email ?? ''), process.env.FINANCE_MAIL ?? ''].filter(Boolean);
  if (record.status === 'settled') {
    const stored = await documentClient.send(new GetCommand({ TableName: tableName(), Key: effectReportKey(type, target.id), ConsistentRead: true }));
    const report = stored.Item?.report as EffectReport;
    return { settled: true, report, releasedMinor: 0, mail: mailFor(report, record, mailTo) };
  }
  const currency = String(record.currency ?? (record.money as Item | undefined)?.currency);

  let releasedMinor = 0;
  for (const promotion of promotions.filter((p) => p.status === 'closed-out')) {
    const money = promotion.money as Record<string, number>;
    const release = money.reservedMinor!;
    const update = recordUpdate({
      type: Promotions.type, id: String(promotion.id), now, status: 'settled',
      set: { settledAt: now, 'money.reservedMinor': 0, 'money.claimableMinor': 0, 'money.releasedMinor': money.releasedMinor! + release },
      condition: '#status = :closedOut AND #money.#pending = :zero',
      names: { '#money': 'money', '#pending': 'pendingClaimMinor' }, values: { ':closedOut': 'closed-out', ':zero': 0 },
      whenConditionFails: conflict(`promotion ${String(promotion.id)} changed while it was being settled; settlement will try again`),
    });
    if (release > 0) {
      await moveFunds({
        fundId: String(promotion.fundId), movementId: `release#${String(promotion.id)}#settlement`, kind: 'release', amountMinor: release,
        currency: String(money.currency ?? currency), at: now, promotionId: String(promotion.id),
        note: `promotion ${String(promotion.name)} settled: ${formatMoney(release, currency)} unclaimed released`,
      }, [update]);
    } else {
      await writeAllOrNothing([update]);
    }
    releasedMinor += release;
    money.releasedMinor = money.releasedMinor! + release;
  }

  const attributed = await attributionsOf(target);
  const counted = attributed.filter((a) => !a.late);
  const inCurrency = (a: Item) => (a.amount as Item | undefined)?.currency === currency;
  const sum = (kind: string) => counted.filter((a) => a.kind === kind && inCurrency(a))
    .reduce((total, a) => total + Number((a.amount as Item).amountMinor), 0);
  const revenueMinor = sum('payment');
  const orders = counted.filter((a) => a.kind === 'order' && inCurrency(a)).length;
  const leads = counted.filter((a) => a.kind === 'lead').length;
  const costMinor = promotions.reduce((total, p) => total + Number((p.money as Item).claimedMinor), 0);
  const report: EffectReport = {
    target, settledAt: now, currency, revenueMinor,
    payments: counted.filter((a) => a.kind === 'payment' && inCurrency(a)).length,
    orderValueMinor: sum('order'), orders, leads, costMinor,
    ...effectRatios({ revenueMinor, costMinor, leads, orders }),
    conversions: await nurtureConversions(target),
    promotions: promotions.map((p) => {
      const money = p.money as Record<string, number>;
      return { id: String(p.id), name: String(p.name), approvedMinor: money.approvedMinor!, claimedMinor: money.claimedMinor!, releasedMinor: money.releasedMinor! };
    }),
    excludedEvents: counted.filter((a) => a.kind !== 'lead' && !inCurrency(a)).length,
    lateEvents: attributed.length - counted.length,
  };
  await writeAllOrNothing([
    { item: { Put: { TableName: tableName(), Item: { ...effectReportKey(type, target.id), report } } }, whenConditionFails: conflict('report exists') },
    ...(target.type === 'campaign' ? [recordUpdate({
      type, id: target.id, now, status: 'settled', set: { settledAt: now },
      condition: '#status = :planned', values: { ':planned': 'planned' },
      whenConditionFails: conflict(`campaign ${target.id} was settled meanwhile`),
    })] : []),
  ]);
  return { settled: true, report, releasedMinor, mail: mailFor(report, record, mailTo) };
}

function mailFor(report: EffectReport, record: Item, to: string[]) {
  const m = (minor: number | null) => (minor === null ? 'n/a' : formatMoney(minor, report.currency));
  const roi = report.roiBasisPoints === null ? 'n/a (no cost)' : `${(report.roiBasisPoints / 100).toFixed(2)} %`;
  const text = [
    `Effect report of ${report.target.type} ${String(record.name)} (settled ${report.settledAt})`,
    `Revenue (payments): ${m(report.revenueMinor)} from ${report.payments} payment(s)`,
    `Orders: ${report.orders} worth ${m(report.orderValueMinor)}; leads: ${report.leads}`,
    `Cost (approved claims): ${m(report.costMinor)}`,
    `ROI: ${roi}; cost per lead: ${m(report.costPerLeadMinor)}; cost per order: ${m(report.costPerOrderMinor)}`,
    `Conversions from nurture sequences: ${report.conversions ?? 'not available'}`,
    ...report.promotions.map((p) => `Promotion ${p.name}: approved ${m(p.approvedMinor)}, claimed ${m(p.claimedMinor)}, released ${m(p.releasedMinor)}`),
  ].join('\n');
  return { to, subject: `Effect report: ${String(record.name)}`, text };
}

/** The stored effect report, with the late events that arrived since settlement (flagged, not in the figures). */
export async function effectReport(principal: Principal, target: Target) {
  const type = targetType(target);
  const record = await readItem(type, target.id);
  if (!record || record.deletedAt) throw notFound(`no ${target.type} ${target.id}`);
  assertCan(principal, 'read', type, record, target.id);
  const stored = await documentClient.send(new GetCommand({ TableName: tableName(), Key: effectReportKey(type, target.id), ConsistentRead: true }));
  if (!stored.Item) throw notFound(`${target.type} ${target.id} is not settled yet (status ${String(record.status)})`);
  const late = (await attributionsOf(target)).filter((a) => a.late)
    .map((a) => ({ kind: a.kind, externalId: a.externalId, amount: a.amount, at: a.at, recordedAt: a.recordedAt }));
  return { ...(stored.Item.report as EffectReport), lateEvents: late.length, late };
}

/** The report of whatever has this id: a campaign, or a promotion settled on its own. */
export async function effectReportById(principal: Principal, id: string) {
  const isCampaign = await readItem(Campaigns.type, id);
  return effectReport(principal, { type: isCampaign ? 'campaign' : 'promotion', id });
}
