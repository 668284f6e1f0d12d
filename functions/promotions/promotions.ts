import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PromotionSubmitted } from '../../schemas/events';
import { itemFor, recordKey } from '../../schemas/keys';
import {
  Campaigns, CLOSE_OUT_OVERDUE_AFTER_REMINDERS, CloseOutSchema, Funds, PROMOTION_SETTLEMENT_DELAY_DAYS, Promotions, type PromotionMoney, type PromotionRecord, type PromotionStatus,
} from '../../schemas/promotions/records';
import * as z from '../../schemas/zod';
import { assertCan, covers, scopeOf } from '../platform/access';
import { conflict, invalid, invalidField, notFound, type FieldIssue } from '../platform/errors';
import { putEvent } from '../platform/event-bus';
import { FundRefusal, moveFunds } from './fund-ledger';
import type { Principal } from '../platform/principal';
import { checkPromotionPlan, formatMoney, sumInCurrency } from './promotion-money';
import { recordUpdate } from '../platform/record-update';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * A promotion from draft to closed-out (DOMAIN.md process 1). The API changes what the rep changes
 * (draft edits, submit, cancel, close-out); the promotion-lifecycle workflow changes the rest through
 * the functions at the bottom (reserve on approval, return with reasons, start, end). Every status
 * change is a conditional write on the status it expects, so a late or repeated step changes nothing.
 */

type Item = Record<string, unknown>;
const TYPE = Promotions.type;

/** Attributes the workflow keeps on the item that no client needs to see. */
const HIDDEN = ['closeOutTaskToken'];

export async function readItem(type: string, id: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(type, id), ConsistentRead: true }));
  return Item;
}

async function readLivePromotion(id: string): Promise<PromotionRecord & Item> {
  const item = await readItem(TYPE, id);
  if (!item || item.deletedAt) throw notFound(`no promotion ${id}`);
  return item as PromotionRecord & Item;
}

const KEY_ATTRIBUTES = /^(pk|sk|recordType|by[A-Z][A-Za-z]*(Pk|Sk))$/;
export function promotionView(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.test(k) && !HIDDEN.includes(k)));
}

export async function getPromotion(principal: Principal, id: string) {
  const item = await readLivePromotion(id);
  assertCan(principal, 'read', TYPE, item, id);
  return promotionView(item);
}

const emptyMoney = (currency: string, budgetMinor: number): PromotionMoney => ({
  currency, budgetMinor, approvedMinor: 0, reservedMinor: 0, claimedMinor: 0, pendingClaimMinor: 0, claimableMinor: 0, releasedMinor: 0,
});

async function fundFor(fundId: string, field = 'body.fundId') {
  const fund = await readItem(Funds.type, fundId);
  if (!fund || fund.deletedAt) throw invalidField(field, `names no fund (${fundId})`);
  return fund;
}

/** A promotion draws on a fund its author may see: a sales rep, on a fund of their own department. */
async function fundToDrawOn(principal: Principal, fundId: string) {
  const fund = await fundFor(fundId);
  if (!covers(scopeOf(principal, Funds.type, 'read'), principal, fund)) {
    throw invalidField('body.fundId', `names a fund of department ${String(fund.departmentId)}; a promotion of ${principal.departmentId} draws on that department's funds`);
  }
  return fund;
}

const prefixed = (issues: FieldIssue[], where: string) => issues.map((i) => ({ ...i, field: `${where}.${i.field}` }));

/** The references a promotion names must exist (and stay live while it is written). */
function referenceChecks(record: Item): GuardedWrite[] {
  const refs: [string, string, string][] = [
    ['fundId', Funds.type, String(record.fundId)],
    ...(record.campaignId ? [['campaignId', Campaigns.type, String(record.campaignId)] as [string, string, string]] : []),
    ...((record.productIds as string[] | undefined) ?? []).map((id, i) => [`productIds.${i}`, 'PRODUCT', id] as [string, string, string]),
    ...((record.accountIds as string[]) ?? []).map((id, i) => [`accountIds.${i}`, 'ACCOUNT', id] as [string, string, string]),
  ];
  return refs.map(([field, type, id]) => ({
    item: { ConditionCheck: { TableName: tableName(), Key: recordKey(type, id), ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)' } },
    whenConditionFails: invalidField(`body.${field}`, `names no live ${type.toLowerCase()} (${id})`),
  }));
}

function budgetOf(record: Item, currency: string) {
  const lines = record.expenseLines as { amount: { amountMinor: number; currency: string } }[];
  const { totalMinor, issues } = sumInCurrency(lines.map((l, i) => ({ field: `body.expenseLines.${i}.amount`, amount: l.amount })), currency);
  if (issues.length) throw invalid(`the promotion's expense lines must be in its fund's currency (${currency})`, issues);
  return totalMinor;
}

export async function createPromotion(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Promotions.create, body, 'body');
  const fund = await fundToDrawOn(principal, input.fundId);
  const record: Item = {
    ownerId: principal.userId, departmentId: principal.departmentId, ...input,
    id: randomUUID(), version: 1, createdAt: now, updatedAt: now,
    status: 'draft' satisfies PromotionStatus, submission: 0,
  };
  record.money = emptyMoney(String(fund.currency), budgetOf(record, String(fund.currency)));
  assertCan(principal, 'write', TYPE, record);
  await writeAllOrNothing([
    { item: { Put: { TableName: tableName(), Item: itemFor(TYPE, record), ConditionExpression: 'attribute_not_exists(pk)' } }, whenConditionFails: conflict(`promotion ${String(record.id)} exists`) },
    ...referenceChecks(record),
  ]);
  return promotionView(record);
}

const EDITABLE: PromotionStatus[] = ['draft', 'rejected'];

export async function updatePromotion(principal: Principal, id: string, body: unknown, now: string) {
  const { version, ...changes } = parseInput(Promotions.update, body, 'body');
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  if (!EDITABLE.includes(current.status)) throw conflict(`promotion ${id} is ${current.status}; only a draft or a rejected promotion can be changed`);
  if (current.version !== version) throw conflict(`promotion ${id} was changed since version ${version}; read it again and reapply your change`);
  const next: Item = { ...promotionView(current), ...changes, version: version + 1, updatedAt: now };
  assertCan(principal, 'write', TYPE, next, id);
  const fund = changes.fundId === undefined ? await fundFor(String(next.fundId)) : await fundToDrawOn(principal, changes.fundId);
  next.money = emptyMoney(String(fund.currency), budgetOf(next, String(fund.currency)));
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
    ...referenceChecks(next),
  ]);
  return promotionView(next);
}

/**
 * Submit for approval: validates dates, lines, fund and currency (a 400 naming each field), marks it
 * submitted (submission + 1) and announces Promotion.Submitted, which starts the lifecycle workflow.
 */
export async function submitPromotion(principal: Principal, id: string, now: string) {
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  if (!EDITABLE.includes(current.status)) throw conflict(`promotion ${id} is ${current.status}; only a draft or a rejected promotion can be submitted`);
  const fund = await fundFor(current.fundId, 'fundId');
  const campaign = current.campaignId ? await readItem(Campaigns.type, current.campaignId) : undefined;
  if (current.campaignId && !campaign) throw invalidField('campaignId', `names no campaign (${current.campaignId})`);
  const { budgetMinor, issues } = checkPromotionPlan(current, { currency: String(fund.currency) }, now,
    campaign ? { currency: String(campaign.currency), endsAt: String(campaign.endsAt) } : undefined);
  if (issues.length) throw invalid(`promotion ${id} cannot be submitted: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, prefixed(issues, 'promotion'));
  const submission = current.submission + 1;
  const money = emptyMoney(String(fund.currency), budgetMinor);
  await writeAllOrNothing([recordUpdate({
    type: TYPE, id, now, status: 'submitted',
    set: { submission, money, submittedAt: now },
    remove: ['rejectionReasons'],
    condition: '#version = :version',
    values: { ':version': current.version },
    whenConditionFails: conflict(`promotion ${id} changed while it was being submitted; read it again`),
  })]);
  const detail = {
    promotionId: id, submission, submitterId: principal.userId, ownerId: current.ownerId, departmentId: current.departmentId,
    fundId: current.fundId, ...(current.campaignId ? { campaignId: current.campaignId } : {}), type: current.type, region: current.region,
    amount: { amountMinor: budgetMinor, currency: money.currency }, startsAt: current.startsAt, endsAt: current.endsAt,
  };
  try {
    await putEvent(PromotionSubmitted.source, PromotionSubmitted.detailType, PromotionSubmitted.detail.parse(detail));
  } catch (error) {
    // nothing will run it: give it back to the rep as it was
    await writeAllOrNothing([recordUpdate({
      type: TYPE, id, now, status: current.status, set: { submission: current.submission },
      condition: '#status = :submitted AND submission = :submission', values: { ':submitted': 'submitted', ':submission': submission },
      whenConditionFails: conflict(`promotion ${id} moved on`),
    })]);
    throw error;
  }
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

/** The rep's close-out: actual results and proof of execution; completes the workflow's close-out task. */
export async function closeOutPromotion(principal: Principal, id: string, body: unknown, now: string, completeTask: (token: string, output: unknown) => Promise<void>) {
  const closeOut = parseInput(CloseOutSchema, body, 'body');
  const current = await readLivePromotion(id);
  assertCan(principal, 'write', TYPE, current, id);
  if (current.status !== 'ended') throw conflict(`promotion ${id} is ${current.status}; it can be closed out once it has ended`);
  const issues = closeOut.actuals.flatMap((a, i) => (a.revenue.currency === current.money.currency ? []
    : [{ field: `body.actuals.${i}.revenue`, message: `is in ${a.revenue.currency}; it must be in ${current.money.currency}` }]));
  if (issues.length) throw invalid('the close-out has revenue in another currency', issues);
  const token = current.closeOutTaskToken as string | undefined;
  await writeAllOrNothing([recordUpdate({
    type: TYPE, id, now, status: 'closed-out',
    set: { closeOut, closedOutAt: now, claimsOpenSince: now },
    remove: ['closeOutTaskToken'],
    condition: '#version = :version', values: { ':version': current.version },
    whenConditionFails: conflict(`promotion ${id} changed while it was being closed out; read it again`),
  })]);
  if (token) await completeTask(token, closeOutOutput(current));
  return getPromotion(principal, id);
}

// ---------------------------------------------------------------------------------------------------
// Workflow steps (functions/promotions/*: tasks of workflows/promotion-lifecycle.ts)

export const ReserveInputSchema = z.object({ promotionId: z.string(), submission: z.int() });

export type ReserveResult = { reserved: true; repEmail: string; repName: string; promotionName: string; amountText: string } | { reserved: false; reason: string };

async function repOf(ownerId: string) {
  const user = await readItem('USER', ownerId);
  return { email: String(user?.email ?? ''), name: String(user?.name ?? ownerId) };
}

/**
 * Approved: reserve the promotion's budget from its fund and mark it approved, in one transaction.
 * A fund that cannot give it refuses; the promotion then goes back to the rep as rejected, with the
 * fund's words. A promotion no longer awaiting this submission's approval (cancelled) is left alone.
 */
export async function reserveOnApproval(promotionId: string, submission: number, now: string): Promise<ReserveResult> {
  const promotion = await readLivePromotion(promotionId);
  const amount = promotion.money.budgetMinor;
  const stale = conflict(`promotion ${promotionId} is no longer awaiting approval of submission ${submission}`);
  const waiting = { condition: '#status = :submitted AND submission = :submission', values: { ':submitted': 'submitted', ':submission': submission } };
  try {
    await moveFunds({
      fundId: promotion.fundId, movementId: `reserve#${promotionId}#${submission}`, kind: 'reserve', amountMinor: amount,
      currency: promotion.money.currency, at: now, promotionId, note: `promotion ${promotion.name} approved: ${formatMoney(amount, promotion.money.currency)} reserved`,
    }, [recordUpdate({
      type: TYPE, id: promotionId, now, status: 'approved',
      set: { approvedAt: now, 'money.approvedMinor': amount, 'money.reservedMinor': amount, 'money.claimableMinor': amount },
      ...waiting, whenConditionFails: stale,
    })]);
  } catch (error) {
    if (error === stale) return { reserved: false, reason: stale.message };
    if (!(error instanceof FundRefusal)) throw error;
    await returnToRep(promotionId, submission, [error.reason], now);
    return { reserved: false, reason: error.reason };
  }
  const rep = await repOf(String(promotion.ownerId));
  return { reserved: true, repEmail: rep.email, repName: rep.name, promotionName: String(promotion.name), amountText: formatMoney(amount, promotion.money.currency) };
}

/** Rejected (by the approvers, or by the fund): back to the rep with the reasons, to revise and resubmit. */
export async function returnToRep(promotionId: string, submission: number, reasons: string[], now: string) {
  try {
    await writeAllOrNothing([recordUpdate({
      type: TYPE, id: promotionId, now, status: 'rejected',
      set: { rejectionReasons: reasons.length ? reasons : ['rejected without a reason'], rejectedAt: now },
      condition: '#status = :submitted AND submission = :submission', values: { ':submitted': 'submitted', ':submission': submission },
      whenConditionFails: conflict('not awaiting approval'),
    })]);
    return { returned: true };
  } catch (error) {
    if ((error as Error).message === 'not awaiting approval') return { returned: false };
    throw error;
  }
}

/** approved -> active at the start, active -> ended at the end; false when it is not in `from` (cancelled). */
export async function advancePromotion(promotionId: string, from: PromotionStatus, to: PromotionStatus, now: string) {
  try {
    await writeAllOrNothing([recordUpdate({
      type: TYPE, id: promotionId, now, status: to, set: { [`${to}At`]: now },
      condition: '#status = :from', values: { ':from': from },
      whenConditionFails: conflict(`promotion ${promotionId} is not ${from}`),
    })]);
    return { advanced: true };
  } catch (error) {
    if ((error as Error).message === `promotion ${promotionId} is not ${from}`) return { advanced: false };
    throw error;
  }
}


/**
 * The close-out task: at the first call the promotion ends; every call stores the workflow's task
 * token on it (the close-out POST completes it) and says what to mail: the request, a reminder, or
 * (from the deadline on) an escalation to finance as well.
 */
export async function openCloseOutTask(promotionId: string, taskToken: string, reminder: number, now: string) {
  const promotion = await readLivePromotion(promotionId);
  if (reminder === 0 && promotion.status === 'active') {
    await advancePromotion(promotionId, 'active', 'ended', now);
  }
  const overdue = reminder >= CLOSE_OUT_OVERDUE_AFTER_REMINDERS;
  await writeAllOrNothing([recordUpdate({
    type: TYPE, id: promotionId, now, set: { closeOutTaskToken: taskToken, closeOutReminders: reminder, ...(overdue ? { closeOutOverdue: true } : {}) },
    condition: '#status = :ended', values: { ':ended': 'ended' },
    whenConditionFails: conflict(`promotion ${promotionId} is not waiting for its close-out`),
  })]);
  const rep = await repOf(String(promotion.ownerId));
  const subject = reminder === 0 ? `Please close out ${promotion.name}`
    : overdue ? `Overdue: close-out of ${promotion.name}` : `Reminder: close out ${promotion.name}`;
  const text = `${promotion.name} ended at ${promotion.endsAt}. Please close it out with its actual results and proof of execution ` +
    `(POST /promotions/${promotionId}/close-out), so its costs can be claimed.` + (reminder ? ` This is reminder ${reminder}.` : '');
  return { to: [rep.email], cc: overdue && process.env.FINANCE_MAIL ? [process.env.FINANCE_MAIL] : [], subject, text };
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
