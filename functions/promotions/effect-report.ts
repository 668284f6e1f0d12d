import type { Money } from '../../schemas/common';
import type { EffectReport, PromotionMoney } from '../../schemas/promotions/records';
import { effectRatios, formatMoney } from './promotion-money';

/*
 * A settlement's effect report and its mail, computed from plain data: what was attributed to the
 * target, its promotions' money after the settlement's releases, and its nurture conversions. The
 * reads and writes around it are campaign-settlement.ts's.
 */

/** One order, payment or lead attributed to the target; a late one arrived after settlement. */
export interface Attributed {
  kind: 'order' | 'payment' | 'lead';
  amount?: Money;
  late?: boolean;
}

/** A promotion of the target as settled (its unclaimed reservation released). */
export interface SettledPromotion {
  id: string;
  name: string;
  money: Pick<PromotionMoney, 'approvedMinor' | 'claimedMinor' | 'releasedMinor'>;
}

export interface EffectInput {
  target: EffectReport['target'];
  settledAt: string;
  /** the target's currency: revenue and orders in another are left out (and counted as excluded) */
  currency: string;
  attributed: Attributed[];
  promotions: SettledPromotion[];
  /** leads converted by the campaign's nurture sequences; null for a promotion without a campaign */
  conversions: number | null;
}

/**
 * Revenue is what was paid (payments), orders count their value apart, so nothing is counted twice;
 * cost is what the approved claims spent. Late events are recorded but not in the figures.
 */
export function effectReportOf(input: EffectInput): EffectReport {
  const { currency } = input;
  const counted = input.attributed.filter((a) => !a.late);
  const inCurrency = (a: Attributed) => a.amount?.currency === currency;
  const ofKind = (kind: Attributed['kind']) => counted.filter((a) => a.kind === kind && inCurrency(a));
  const sum = (kind: Attributed['kind']) => ofKind(kind).reduce((total, a) => total + a.amount!.amountMinor, 0);
  const revenueMinor = sum('payment');
  const orders = ofKind('order').length;
  const leads = counted.filter((a) => a.kind === 'lead').length;
  const costMinor = input.promotions.reduce((total, p) => total + p.money.claimedMinor, 0);
  return {
    target: input.target, settledAt: input.settledAt, currency, revenueMinor,
    payments: ofKind('payment').length,
    orderValueMinor: sum('order'), orders, leads, costMinor,
    ...effectRatios({ revenueMinor, costMinor, leads, orders }),
    conversions: input.conversions,
    promotions: input.promotions.map((p) => ({
      id: p.id, name: p.name, approvedMinor: p.money.approvedMinor, claimedMinor: p.money.claimedMinor, releasedMinor: p.money.releasedMinor,
    })),
    excludedEvents: counted.filter((a) => a.kind !== 'lead' && !inCurrency(a)).length,
    lateEvents: input.attributed.length - counted.length,
  };
}

/** The report as a mail to the target's owner and finance. */
export function effectReportMail(report: EffectReport, targetName: string, to: string[]) {
  const m = (minor: number | null) => (minor === null ? 'n/a' : formatMoney(minor, report.currency));
  const roi = report.roiBasisPoints === null ? 'n/a (no cost)' : `${(report.roiBasisPoints / 100).toFixed(2)} %`;
  const text = [
    `Effect report of ${report.target.type} ${targetName} (settled ${report.settledAt})`,
    `Revenue (payments): ${m(report.revenueMinor)} from ${report.payments} payment(s)`,
    `Orders: ${report.orders} worth ${m(report.orderValueMinor)}; leads: ${report.leads}`,
    `Cost (approved claims): ${m(report.costMinor)}`,
    `ROI: ${roi}; cost per lead: ${m(report.costPerLeadMinor)}; cost per order: ${m(report.costPerOrderMinor)}`,
    `Conversions from nurture sequences: ${report.conversions ?? 'not available'}`,
    ...report.promotions.map((p) => `Promotion ${p.name}: approved ${m(p.approvedMinor)}, claimed ${m(p.claimedMinor)}, released ${m(p.releasedMinor)}`),
  ].join('\n');
  return { to, subject: `Effect report: ${targetName}`, text };
}
