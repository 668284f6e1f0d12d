import { evidenceRefKey, recordKey } from '../../schemas/keys';
import { Claims, Promotions } from '../../schemas/promotions/records';
import { conflict, notFound, type DomainError } from '../platform/errors';
import { recordUpdate } from '../platform/record-update';
import { tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { readLiveClaim } from './claims';
import { moveFunds } from './fund-ledger';
import { formatMoney } from './promotion-money';
import { readRecord } from './promotion-store';

/*
 * The expense-claim workflow's steps (workflows/expense-claim.ts) and the ERP's payment: approved by
 * finance, the fund's reserved money becomes spent (postClaim); rejected, the hold is let go
 * (returnClaim) and the rep may revise and resubmit; paid, the claim is closed (markClaimPaid).
 */

const TYPE = Claims.type;

const awaiting = (submission: number) => ({
  condition: '#status = :submitted AND submission = :submission', values: { ':submitted': 'submitted', ':submission': submission },
});

/**
 * Approved by finance: the fund's reserved money becomes spent, the promotion's claimed total rises and
 * the claim is payable, all in one transaction (the spend's ledger entry names the claim, so a retry
 * is a no-op). Returns what Claim.Approved tells the ERP.
 */
export async function postClaim(claimId: string, submission: number, now: string) {
  const claim = await readLiveClaim(claimId);
  const promotion = await readRecord(Promotions.type, claim.promotionId);
  if (!promotion) throw notFound(`claim ${claimId} names no promotion ${claim.promotionId}`);
  const { total } = claim;
  const stale: DomainError = conflict(`claim ${claimId} is no longer awaiting approval of submission ${submission}`);
  const outcome = await moveFunds({
    fundId: promotion.fundId, movementId: `spend#${claimId}#${submission}`, kind: 'spend', amountMinor: total.amountMinor, currency: total.currency,
    at: now, promotionId: promotion.id, claimId, note: `claim ${claimId} on promotion ${promotion.name} approved: ${formatMoney(total.amountMinor, total.currency)} spent`,
  }, [
    recordUpdate({ type: TYPE, id: claimId, now, status: 'approved', set: { approvedAt: now }, ...awaiting(submission), whenConditionFails: stale }),
    recordUpdate({
      type: Promotions.type, id: promotion.id, now,
      inc: { 'money.claimedMinor': total.amountMinor, 'money.pendingClaimMinor': -total.amountMinor, 'money.reservedMinor': -total.amountMinor },
      condition: 'attribute_exists(money)', whenConditionFails: conflict(`promotion ${promotion.id} lost its money`),
    }),
  ]).catch((error: unknown) => {
    if (error === stale) return 'stale' as const;
    throw error;
  });
  return {
    posted: outcome !== 'stale',
    claimId, promotionId: promotion.id, fundId: promotion.fundId, payeeId: claim.ownerId, amount: total, approvedAt: now,
  };
}

/** Rejected: the claim goes back with the reasons; its hold on the promotion and its evidence are let go. */
export async function returnClaim(claimId: string, submission: number, reasons: string[], now: string) {
  const claim = await readLiveClaim(claimId);
  const total = claim.total.amountMinor;
  const stale = conflict('not awaiting');
  try {
    await writeAllOrNothing([
      recordUpdate({
        type: TYPE, id: claimId, now, status: 'rejected', set: { rejectionReasons: reasons.length ? reasons : ['rejected without a reason'], rejectedAt: now },
        ...awaiting(submission), whenConditionFails: stale,
      }),
      recordUpdate({
        type: Promotions.type, id: claim.promotionId, now,
        inc: { 'money.claimableMinor': total, 'money.pendingClaimMinor': -total },
        condition: 'attribute_exists(money)', whenConditionFails: conflict('promotion lost its money'),
      }),
      ...claim.lines.map((line): GuardedWrite => ({
        item: {
          Delete: {
            TableName: tableName(), Key: evidenceRefKey(line.evidenceRef),
            ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': recordKey(TYPE, claimId).pk },
          },
        },
        whenConditionFails: conflict(`evidence ${line.evidenceRef} is held by another claim`),
      })),
    ]);
    return { returned: true };
  } catch (error) {
    if (error === stale) return { returned: false };
    throw error;
  }
}

/** The ERP paid it (Claim.Paid): approved -> paid, once; a repeat finds it paid and changes nothing. */
export async function markClaimPaid(detail: { claimId: string; paidAt: string; paymentReference: string }, now: string) {
  try {
    await writeAllOrNothing([recordUpdate({
      type: TYPE, id: detail.claimId, now, status: 'paid', set: { paidAt: detail.paidAt, paymentReference: detail.paymentReference },
      condition: '#status = :approved', values: { ':approved': 'approved' },
      whenConditionFails: conflict(`claim ${detail.claimId} is not approved and unpaid`),
    })]);
    return { paid: true };
  } catch (error) {
    const claim = await readRecord(TYPE, detail.claimId);
    if (claim?.status === 'paid') return { paid: false, alreadyPaid: true };
    throw error;
  }
}
