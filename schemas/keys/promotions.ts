/**
 * Trade promotions, funds, campaigns and claims are records (./records); these are the items that live
 * beside them in their partitions.
 */
import { recordKey, uniqueValueKey } from './records';

export const FUND_LEDGER_PREFIX = 'LEDGER#';
/** One fund movement (allocate, reserve, release, spend), named by its business id so a retry writes it once. */
export const fundLedgerKey = (fundId: string, movementId: string) => ({
  pk: recordKey('FUND', fundId).pk,
  sk: `${FUND_LEDGER_PREFIX}${movementId}`,
});

export const ATTRIBUTION_PREFIX = 'ATTRIBUTED#';
export type SettlementTargetType = 'CAMPAIGN' | 'PROMOTION';
/**
 * An order, payment or lead attributed to what is settled (a campaign, or a promotion without one),
 * named by the sending system's id: the same payment delivered three times is one item.
 */
export const attributionKey = (targetType: SettlementTargetType, targetId: string, kind: 'order' | 'payment' | 'lead', externalId: string) => ({
  pk: recordKey(targetType, targetId).pk,
  sk: `${ATTRIBUTION_PREFIX}${kind}#${externalId}`,
});

/** The stored effect report of a settled campaign (or campaign-less promotion). */
export const effectReportKey = (targetType: SettlementTargetType, targetId: string) => ({
  pk: recordKey(targetType, targetId).pk,
  sk: 'EFFECT_REPORT',
});

/** A claim's evidence reference (receipt, photo): held by one live claim, so it is never claimed twice. */
export const evidenceRefKey = (evidenceRef: string) => uniqueValueKey('CLAIM', 'evidenceRef', evidenceRef.toLowerCase());

/**
 * The workflow execution that runs one submission of a promotion or claim (the record's type, id and
 * submission): its first state claims this item, so a Submitted event delivered twice starts one run,
 * and the second execution ends at once.
 */
export const submissionRunKey = (recordType: string, id: string, submission: number | string) => ({
  pk: recordKey(recordType, id).pk,
  sk: `LIFECYCLE#${submission}`,
});
