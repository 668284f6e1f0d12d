import type { Money } from '../../schemas/common';
import type { FieldIssue } from '../platform/errors';

/*
 * The money math and checks of trade promotions, pure (no AWS, no clock): integer minor units only.
 */

/** 123456 EUR minor units as "1234.56 EUR" (for messages and mail; currencies with 2 decimals). */
export const formatMoney = (amountMinor: number, currency: string) =>
  `${amountMinor < 0 ? '-' : ''}${Math.floor(Math.abs(amountMinor) / 100)}.${String(Math.abs(amountMinor) % 100).padStart(2, '0')} ${currency}`;

/** Sums amounts that must all be in `currency`; each other currency is an issue at its field. */
export function sumInCurrency(amounts: { field: string; amount: Money }[], currency: string): { totalMinor: number; issues: FieldIssue[] } {
  let totalMinor = 0;
  const issues: FieldIssue[] = [];
  for (const { field, amount } of amounts) {
    if (amount.currency !== currency) issues.push({ field, message: `is in ${amount.currency}; it must be in ${currency}` });
    else totalMinor += amount.amountMinor;
  }
  if (!Number.isSafeInteger(totalMinor)) issues.push({ field: amounts[0]?.field ?? 'amount', message: 'adds up to more than can be counted exactly' });
  return { totalMinor, issues };
}

export interface PromotionPlan {
  startsAt: string;
  endsAt: string;
  expenseLines: { amount: Money }[];
}

/**
 * What makes a promotion submittable: it starts in the future and ends after it starts, its lines
 * are in its fund's currency (and its campaign's) and ask for more than nothing. Returns the issues,
 * each at its field, and the budget (sum of the lines).
 */
export function checkPromotionPlan(plan: PromotionPlan, fund: { currency: string }, now: string, campaign?: { currency: string; endsAt: string }) {
  const issues: FieldIssue[] = [];
  if (Date.parse(plan.startsAt) <= Date.parse(now)) issues.push({ field: 'startsAt', message: `must be in the future (now is ${now})` });
  if (Date.parse(plan.endsAt) <= Date.parse(plan.startsAt)) issues.push({ field: 'endsAt', message: 'must be after startsAt' });
  if (campaign && campaign.currency !== fund.currency) {
    issues.push({ field: 'fundId', message: `is a ${fund.currency} fund; the campaign reports in ${campaign.currency}` });
  }
  if (campaign && Date.parse(plan.endsAt) > Date.parse(campaign.endsAt)) {
    issues.push({ field: 'endsAt', message: `must not be after its campaign ends (${campaign.endsAt})` });
  }
  const { totalMinor, issues: moneyIssues } = sumInCurrency(
    plan.expenseLines.map((line, i) => ({ field: `expenseLines.${i}.amount`, amount: line.amount })), fund.currency);
  issues.push(...moneyIssues);
  if (moneyIssues.length === 0 && totalMinor <= 0) issues.push({ field: 'expenseLines', message: 'must ask for more than 0' });
  return { budgetMinor: totalMinor, issues };
}

/** Evidence references that occur more than once in one claim (case-insensitive). */
export function repeatedEvidence(refs: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const ref of refs.map((r) => r.toLowerCase())) (seen.has(ref) ? repeated : seen).add(ref);
  return [...repeated];
}

/** a × scale / b rounded half away from zero, in integers only (no float on money, no overflow). */
export function divideRounded(a: number, b: number, scale = 1): number {
  const n = BigInt(Math.abs(a)) * BigInt(scale);
  const d = BigInt(Math.abs(b));
  const q = (n * 2n + d) / (d * 2n);
  return Number((a < 0) !== (b < 0) ? -q : q);
}

export interface EffectFigures {
  revenueMinor: number;
  costMinor: number;
  leads: number;
  orders: number;
}

/** ROI in basis points ((revenue - cost) / cost × 10,000), cost per lead and per order in minor units. */
export function effectRatios({ revenueMinor, costMinor, leads, orders }: EffectFigures) {
  return {
    roiBasisPoints: costMinor > 0 ? divideRounded(revenueMinor - costMinor, costMinor, 10_000) : null,
    costPerLeadMinor: leads > 0 ? divideRounded(costMinor, leads) : null,
    costPerOrderMinor: orders > 0 ? divideRounded(costMinor, orders) : null,
  };
}
