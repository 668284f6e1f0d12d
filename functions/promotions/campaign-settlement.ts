import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { effectReportKey, nurtureKeys } from '../../schemas/keys';
import { Campaigns, Promotions, type EffectReport, type PromotionRecord } from '../../schemas/promotions/records';
import { requiredEnv } from '../platform/env';
import { conflict, notFound } from '../platform/errors';
import { recordUpdate } from '../platform/record-update';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { attributionsOf, storedEffectReport, targetType, type Target } from './campaigns';
import { effectReportMail, effectReportOf, type SettledPromotion } from './effect-report';
import { moveFunds } from './fund-ledger';
import { formatMoney } from './promotion-money';
import { contactOf, promotionsOfCampaign, readRecord, type PromotionItem, type Stored } from './promotion-store';

/*
 * Settling a campaign, or a promotion without one (the campaign-settlement workflow's task).
 *
 * Settlement waits while a promotion of the target is still under way (submitted, approved, active,
 * ended and not closed out) or a claim of it is pending; then it releases each closed-out promotion's
 * unclaimed reservation to its fund, computes the effect report (effect-report.ts) from what was
 * attributed, stores it and marks everything settled. Settling again answers the stored report.
 */

type Promotion = Stored<PromotionItem>;

/**
 * Conversions from nurture sequences: the nurture engine keeps one item per lead converted by a
 * sequence, in its campaign's partition (nurtureKeys.conversion). A promotion settled without a
 * campaign has no sequences of its own: null ("not available"), not 0.
 */
async function nurtureConversions(target: Target): Promise<number | null> {
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

/** The target as settlement needs it: its name, owner, status and currency. */
async function readTarget(target: Target) {
  if (target.type === 'campaign') {
    const campaign = await readRecord(Campaigns.type, target.id);
    return campaign && { name: campaign.name, ownerId: campaign.ownerId, settled: campaign.status === 'settled', currency: campaign.currency, promotion: undefined };
  }
  const promotion = await readRecord(Promotions.type, target.id);
  return promotion && { name: promotion.name, ownerId: promotion.ownerId, settled: promotion.status === 'settled', currency: promotion.money.currency, promotion };
}

const UNDER_WAY: PromotionRecord['status'][] = ['submitted', 'approved', 'active', 'ended'];
const NEVER_RAN: PromotionRecord['status'][] = ['draft', 'rejected', 'cancelled'];

/** Why the target cannot be settled yet, or nothing when it can. */
function whySettlementWaits(promotions: Pick<PromotionRecord, 'name' | 'status' | 'money'>[]): string | undefined {
  const busy = promotions.find((p) => UNDER_WAY.includes(p.status));
  if (busy) return `promotion ${busy.name} is still ${busy.status}`;
  const pending = promotions.find((p) => p.money.pendingClaimMinor > 0);
  if (pending) return `a claim on promotion ${pending.name} is still pending`;
  return undefined;
}

export type SettleResult =
  | { settled: false; reason: string }
  | { settled: true; report: EffectReport; releasedMinor: number; mail: { to: string[]; subject: string; text: string } };

/** Releases a closed-out promotion's unclaimed reservation and marks it settled, in one transaction. */
async function releaseAndSettle(promotion: Promotion, currency: string, now: string): Promise<SettledPromotion> {
  const { money } = promotion;
  const release = money.reservedMinor;
  const update = recordUpdate({
    type: Promotions.type, id: promotion.id, now, status: 'settled',
    set: { settledAt: now, 'money.reservedMinor': 0, 'money.claimableMinor': 0, 'money.releasedMinor': money.releasedMinor + release },
    condition: '#status = :closedOut AND #money.#pending = :zero',
    names: { '#money': 'money', '#pending': 'pendingClaimMinor' }, values: { ':closedOut': 'closed-out', ':zero': 0 },
    whenConditionFails: conflict(`promotion ${promotion.id} changed while it was being settled; settlement will try again`),
  });
  if (release > 0) {
    await moveFunds({
      fundId: promotion.fundId, movementId: `release#${promotion.id}#settlement`, kind: 'release', amountMinor: release,
      currency: money.currency, at: now, promotionId: promotion.id,
      note: `promotion ${promotion.name} settled: ${formatMoney(release, currency)} unclaimed released`,
    }, [update]);
  } else {
    await writeAllOrNothing([update]);
  }
  return { id: promotion.id, name: promotion.name, money: { ...money, releasedMinor: money.releasedMinor + release } };
}

export async function settle(target: Target, now: string): Promise<SettleResult> {
  const record = await readTarget(target);
  if (!record) throw notFound(`no ${target.type} ${target.id} to settle`);
  const promotions = (record.promotion ? [record.promotion] : await promotionsOfCampaign(target.id)).filter((p) => !NEVER_RAN.includes(p.status));
  const waits = whySettlementWaits(promotions);
  if (waits) return { settled: false, reason: waits };

  const owner = await contactOf(record.ownerId);
  const mailTo = [owner.email, requiredEnv('FINANCE_MAIL')].filter(Boolean);
  if (record.settled) {
    const report = (await storedEffectReport(target))!;
    return { settled: true, report, releasedMinor: 0, mail: effectReportMail(report, record.name, mailTo) };
  }

  const settled: SettledPromotion[] = [];
  let releasedMinor = 0;
  for (const promotion of promotions) {
    if (promotion.status !== 'closed-out') {
      settled.push(promotion);
      continue;
    }
    const after = await releaseAndSettle(promotion, record.currency, now);
    releasedMinor += after.money.releasedMinor - promotion.money.releasedMinor;
    settled.push(after);
  }

  const report = effectReportOf({
    target, settledAt: now, currency: record.currency, promotions: settled,
    attributed: await attributionsOf(target), conversions: await nurtureConversions(target),
  });
  const type = targetType(target);
  await writeAllOrNothing([
    { item: { Put: { TableName: tableName(), Item: { ...effectReportKey(type, target.id), report } } }, whenConditionFails: conflict('report exists') },
    ...(target.type === 'campaign' ? [recordUpdate({
      type, id: target.id, now, status: 'settled', set: { settledAt: now },
      condition: '#status = :planned', values: { ':planned': 'planned' },
      whenConditionFails: conflict(`campaign ${target.id} was settled meanwhile`),
    })] : []),
  ]);
  return { settled: true, report, releasedMinor, mail: effectReportMail(report, record.name, mailTo) };
}
