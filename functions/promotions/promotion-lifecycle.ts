import { CLOSE_OUT_OVERDUE_AFTER_REMINDERS, Promotions, type PromotionStatus } from '../../schemas/promotions/records';
import { formatDateTime } from '../../schemas/format';
import { requiredEnv } from '../platform/env';
import { consoleLink } from '../platform/mail-content';
import { conflict } from '../platform/errors';
import { recordUpdate } from '../platform/record-update';
import { writeAllOrNothing } from '../platform/transact';
import { FundRefusal, moveFunds } from './fund-ledger';
import { formatMoney } from './promotion-money';
import { contactOf, readLivePromotion } from './promotion-store';

/*
 * The promotion-lifecycle workflow's steps (workflows/promotion-lifecycle.ts, through the task functions
 * apply-promotion-decision and request-close-out): reserve on approval, return with reasons, start,
 * end and ask for the close-out. Every status change is a conditional write on the status it expects,
 * so a late or repeated step changes nothing.
 */

const TYPE = Promotions.type;

export type ReserveResult = { reserved: true } | { reserved: false; reason: string };

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
  return { reserved: true };
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
  const rep = await contactOf(promotion.ownerId);
  const subject = reminder === 0 ? `Please close out ${promotion.name}`
    : overdue ? `Overdue: close-out of ${promotion.name}` : `Reminder: close out ${promotion.name}`;
  const text = `${promotion.name} ended ${formatDateTime(promotion.endsAt, rep)}. Please close it out with its actual results and proof of execution, ` +
    `so its costs can be claimed: ${consoleLink(`promotions/${promotionId}`)}` + (reminder ? `\n\nThis is reminder ${reminder}.` : '');
  return { to: [rep.email], cc: overdue ? [requiredEnv('FINANCE_MAIL')] : [], subject, text };
}
