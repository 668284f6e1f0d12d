import { randomUUID } from 'node:crypto';
import { PromotionSubmitted } from '../../schemas/events';
import { itemFor } from '../../schemas/keys';
import { Accounts } from '../../schemas/records';
import {
  Campaigns, CloseOutSchema, Funds, PROMOTION_SETTLEMENT_DELAY_DAYS, Promotions, type PromotionMoney, type PromotionRecord, type PromotionStatus,
} from '../../schemas/promotions/records';
import { referencesIn } from '../../schemas/references';
import type * as z from '../../schemas/zod';
import { assertCan } from '../platform/access';
import { conflict, invalid, invalidField, type DomainError, type FieldIssue } from '../platform/errors';
import { eventToAnnounce } from '../platform/outbox';
import { moveFunds } from './fund-ledger';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { checkPromotionPlan, formatMoney, sumInCurrency } from './promotion-money';
import { assertChangeable, ownershipOf, promotionView, readLivePromotion, readRecord, type PromotionItem } from './promotion-store';
import { recordUpdate } from '../platform/record-update';
import { tableName } from '../platform/table';
import { writeAllOrNothing } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * What the rep does to a promotion through the API (DOMAIN.md process 1): create and edit a draft,
 * submit it for approval, cancel it before its start, close it out after its end. The
 * promotion-lifecycle workflow changes the rest (promotion-lifecycle.ts). Every status change is a
 * conditional write on the status or version it expects, so a late or repeated request changes nothing.
 */

const TYPE = Promotions.type;

export async function getPromotion(principal: Principal, id: string) {
  const item = await readLivePromotion(id);
  assertCan(principal, 'read', TYPE, item, id);
  return promotionView(item);
}

const emptyMoney = (currency: string, budgetMinor: number): PromotionMoney => ({
  currency, budgetMinor, approvedMinor: 0, reservedMinor: 0, claimedMinor: 0, pendingClaimMinor: 0, claimableMinor: 0, releasedMinor: 0,
});

async function fundFor(fundId: string, field = 'body.fundId') {
  const fund = await readRecord(Funds.type, fundId);
  if (!fund || fund.deletedAt) throw invalidField(field, `names no fund you may read (${fundId})`);
  return fund;
}

const prefixed = (issues: FieldIssue[], where: string) => issues.map((i) => ({ ...i, field: `${where}.${i.field}` }));

/**
 * The references a promotion's write sets (its fund, campaign, accounts, products; on a change, those of
 * changed fields) must name records its author may read, and stay live until the write is done.
 */
async function referencesChecked(principal: Principal, record: Record<string, unknown>, changed: (field: string) => boolean = () => true) {
  const refs = referencesIn(Promotions.record, record).filter((ref) => changed(ref.field.split('.')[0]!));
  await assertReadableReferences(principal, refs);
  return referenceGuards(refs);
}

function budgetOf(lines: PromotionRecord['expenseLines'], currency: string) {
  const { totalMinor, issues } = sumInCurrency(lines.map((l, i) => ({ field: `body.expenseLines.${i}.amount`, amount: l.amount })), currency);
  if (issues.length) throw invalid(`the promotion's expense lines must be in its fund's currency (${currency})`, issues);
  return totalMinor;
}

export async function createPromotion(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Promotions.create, body, 'body');
  const draft = { ...input, ...ownershipOf(input, { ownerId: principal.userId, departmentId: principal.departmentId }) };
  const references = await referencesChecked(principal, draft);
  const fund = await fundFor(input.fundId);
  const record: PromotionItem = {
    ...draft,
    id: randomUUID(), version: 1, createdAt: now, updatedAt: now,
    status: 'draft', submission: 0, money: emptyMoney(fund.currency, budgetOf(input.expenseLines, fund.currency)),
  };
  assertCan(principal, 'write', TYPE, record);
  await writeAllOrNothing([
    { item: { Put: { TableName: tableName(), Item: itemFor(TYPE, record), ConditionExpression: 'attribute_not_exists(pk)' } }, whenConditionFails: conflict(`promotion ${record.id} exists`) },
    ...references,
  ]);
  return promotionView(record);
}

const EDITABLE: PromotionStatus[] = ['draft', 'rejected'];

export async function updatePromotion(principal: Principal, id: string, body: unknown, now: string) {
  const { version, ...changes } = parseInput(Promotions.update, body, 'body');
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  assertChangeable('promotion', id, current, version);
  const edited = { ...(promotionView(current) as PromotionItem), ...changes, ...ownershipOf(changes, current), version: version + 1, updatedAt: now };
  assertCan(principal, 'write', TYPE, edited, id);
  const references = await referencesChecked(principal, edited, (field) => JSON.stringify(edited[field as keyof typeof edited]) !== JSON.stringify(current[field]));
  const fund = await fundFor(edited.fundId);
  const next: PromotionItem = { ...edited, money: emptyMoney(fund.currency, budgetOf(edited.expenseLines, fund.currency)) };
  await writeAllOrNothing([
    {
      item: {
        Put: {
          TableName: tableName(), Item: itemFor(TYPE, next),
          ConditionExpression: 'version = :version AND attribute_not_exists(deletedAt)', ExpressionAttributeValues: { ':version': version },
        },
      },
      whenConditionFails: conflict(`promotion ${id} was changed since version ${version}; read it again and reapply your change`),
    },
    ...references,
  ]);
  return promotionView(next);
}

/**
 * Submit for approval: validates dates, lines, fund and currency (a 400 naming each field), marks it
 * submitted (submission + 1) and announces Promotion.Submitted in the same transaction (the outbox), which
 * starts the lifecycle workflow.
 */
export async function submitPromotion(principal: Principal, id: string, now: string) {
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  if (!EDITABLE.includes(current.status)) throw conflict(`promotion ${id} is ${current.status}; only a draft or a rejected promotion can be submitted`);
  const fund = await fundFor(current.fundId, 'fundId');
  const campaign = current.campaignId ? await readRecord(Campaigns.type, current.campaignId) : undefined;
  if (current.campaignId && !campaign) throw invalidField('campaignId', `names no campaign (${current.campaignId})`);
  const { budgetMinor, issues } = checkPromotionPlan(current, { currency: fund.currency }, now,
    campaign ? { currency: campaign.currency, endsAt: campaign.endsAt } : undefined);
  if (issues.length) throw invalid(`promotion ${id} cannot be submitted: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, prefixed(issues, 'promotion'));
  const submission = current.submission + 1;
  const money = emptyMoney(fund.currency, budgetMinor);
  const accountNames = await Promise.all(current.accountIds.map(async (accountId) => (await readRecord(Accounts.type, accountId))?.name ?? accountId));
  await writeAllOrNothing([
    recordUpdate({
      type: TYPE, id, now, status: 'submitted',
      set: { submission, money, submittedAt: now },
      remove: ['rejectionReasons'],
      condition: '#version = :version',
      values: { ':version': current.version },
      whenConditionFails: conflict(`promotion ${id} changed while it was being submitted; read it again`),
    }),
    // announced in the same transaction: the lifecycle starts however the request ends after this
    eventToAnnounce(`promotion-submitted#${id}#${submission}`, PromotionSubmitted, {
      promotionId: id, name: current.name, accountNames, fundName: fund.name,
      submission, submitterId: principal.userId, ownerId: current.ownerId, departmentId: current.departmentId,
      fundId: current.fundId, ...(current.campaignId ? { campaignId: current.campaignId } : {}), type: current.type, region: current.region,
      amount: { amountMinor: budgetMinor, currency: money.currency }, startsAt: current.startsAt, endsAt: current.endsAt,
    }, now),
  ]);
  return promotionView({ ...current, status: 'submitted', submission, money, version: current.version + 1, updatedAt: now, submittedAt: now });
}

/** Cancel before the start: an approved promotion's reservation goes back to its fund in the same transaction. */
export async function cancelPromotion(principal: Principal, id: string, now: string) {
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  const cancellable: PromotionStatus[] = ['draft', 'rejected', 'submitted', 'approved'];
  if (!cancellable.includes(current.status)) throw conflict(`promotion ${id} is ${current.status}; only a promotion that has not started can be cancelled`);
  const reserved = current.money.reservedMinor;
  const changed = conflict(`promotion ${id} changed while it was being cancelled (it may have started); read it again`);
  const update = recordUpdate({
    type: TYPE, id, now, status: 'cancelled',
    set: { cancelledAt: now, 'money.reservedMinor': 0, 'money.claimableMinor': 0, 'money.releasedMinor': current.money.releasedMinor + reserved },
    condition: '#version = :version', values: { ':version': current.version },
    whenConditionFails: changed,
  });
  if (reserved > 0) {
    await moveFunds({
      fundId: current.fundId, movementId: `release#${id}#cancel`, kind: 'release', amountMinor: reserved, currency: current.money.currency,
      at: now, promotionId: id, note: `promotion ${current.name} cancelled before its start: ${formatMoney(reserved, current.money.currency)} released`,
    }, [update]);
  } else {
    await writeAllOrNothing([update]);
  }
  return getPromotion(principal, id);
}

/**
 * The rep's close-out: actual results and proof of execution; completes the workflow's close-out task.
 * The lifecycle writes the promotion as it ends (its status, then the close-out task's token), so a
 * close-out sent as soon as the promotion shows ended can meet that write: it is read and tried again,
 * a few times, rather than refused for a change the rep did not make.
 */
export async function closeOutPromotion(principal: Principal, id: string, body: unknown, now: string, completeTask: (token: string, output: unknown) => Promise<void>) {
  const closeOut = parseInput(CloseOutSchema, body, 'body');
  const changed = conflict(`promotion ${id} changed while it was being closed out; read it again`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await closeOutOnce(principal, id, closeOut, changed, now, completeTask);
    } catch (error) {
      if (!(error === changed && attempt < CLOSE_OUT_ATTEMPTS)) throw error;
    }
  }
}

const CLOSE_OUT_ATTEMPTS = 3;

async function closeOutOnce(principal: Principal, id: string, closeOut: z.output<typeof CloseOutSchema>, changed: DomainError, now: string,
  completeTask: (token: string, output: unknown) => Promise<void>) {
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  if (current.status !== 'ended') throw conflict(`promotion ${id} is ${current.status}; it can be closed out once it has ended`);
  const issues = closeOut.actuals.flatMap((a, i) => (a.revenue.currency === current.money.currency ? []
    : [{ field: `body.actuals.${i}.revenue`, message: `is in ${a.revenue.currency}; it must be in ${current.money.currency}` }]));
  if (issues.length) throw invalid('the close-out has revenue in another currency', issues);
  const products = referencesIn(CloseOutSchema, closeOut);
  await assertReadableReferences(principal, products);
  const token = typeof current.closeOutTaskToken === 'string' ? current.closeOutTaskToken : undefined;
  await writeAllOrNothing([recordUpdate({
    type: TYPE, id, now, status: 'closed-out',
    set: { closeOut, closedOutAt: now, claimsOpenSince: now },
    remove: ['closeOutTaskToken'],
    condition: '#version = :version', values: { ':version': current.version },
    whenConditionFails: changed,
  }), ...referenceGuards(products)]);
  if (token) await completeTask(token, closeOutOutput(current));
  return getPromotion(principal, id);
}

/** When a promotion without a campaign is settled: its end plus the settlement delay. */
export function promotionSettleAt(promotion: { endsAt: string }) {
  return new Date(Date.parse(promotion.endsAt) + PROMOTION_SETTLEMENT_DELAY_DAYS * 24 * 3600 * 1000).toISOString();
}

/** What the lifecycle announces as Promotion.ClosedOut: a promotion without a campaign says when it is settled. */
export function closeOutOutput(promotion: { id: string; campaignId?: string; endsAt: string }) {
  const promotionId = promotion.id;
  return {
    promotionId,
    ...(promotion.campaignId ? { campaignId: promotion.campaignId }
      : { settlement: { target: { type: 'promotion' as const, id: promotionId }, settleAt: promotionSettleAt(promotion) } }),
  };
}
