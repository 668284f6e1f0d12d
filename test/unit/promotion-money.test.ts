import { describe, expect, it } from 'vitest';
import { checkPromotionPlan, divideRounded, effectRatios, formatMoney, repeatedEvidence, sumInCurrency } from '../../functions/promotions/promotion-money';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const now = '2027-01-01T00:00:00Z';

describe('promotion money', () => {
  it('formats minor units exactly', () => {
    expect(formatMoney(123456, 'EUR')).toBe('1234.56 EUR');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(-101, 'EUR')).toBe('-1.01 EUR');
  });

  it('sums lines in one currency and names each line in another', () => {
    expect(sumInCurrency([{ field: 'a', amount: eur(10) }, { field: 'b', amount: eur(5) }], 'EUR')).toEqual({ totalMinor: 15, issues: [] });
    expect(sumInCurrency([{ field: 'a', amount: eur(10) }, { field: 'b', amount: { amountMinor: 5, currency: 'USD' } }], 'EUR').issues)
      .toEqual([{ field: 'b', message: 'is in USD; it must be in EUR' }]);
  });

  it('checks a plan: future start, end after start, lines in the fund currency, within its campaign', () => {
    const plan = { startsAt: '2027-02-01T00:00:00Z', endsAt: '2027-03-01T00:00:00Z', expenseLines: [{ amount: eur(100_00) }, { amount: eur(50_00) }] };
    expect(checkPromotionPlan(plan, { currency: 'EUR' }, now)).toEqual({ budgetMinor: 150_00, issues: [] });
    const bad = checkPromotionPlan({ startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-11-01T00:00:00Z', expenseLines: [{ amount: { amountMinor: 1, currency: 'USD' } }] },
      { currency: 'EUR' }, now, { currency: 'USD', endsAt: '2026-10-01T00:00:00Z' });
    expect(bad.issues.map((i) => i.field)).toEqual(['startsAt', 'endsAt', 'fundId', 'endsAt', 'expenseLines.0.amount']);
    expect(checkPromotionPlan({ ...plan, expenseLines: [{ amount: eur(0) }] }, { currency: 'EUR' }, now).issues)
      .toEqual([{ field: 'expenseLines', message: 'must ask for more than 0' }]);
  });

  it('finds evidence named twice in one claim, whatever the case', () => {
    expect(repeatedEvidence(['R-1', 'r-1', 'R-2'])).toEqual(['r-1']);
    expect(repeatedEvidence(['R-1', 'R-2'])).toEqual([]);
  });

  it('divides in integers, rounding half away from zero, without overflow', () => {
    expect(divideRounded(1, 3)).toBe(0);
    expect(divideRounded(2, 3)).toBe(1);
    expect(divideRounded(-3, 2)).toBe(-2);
    expect(divideRounded(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 10_000)).toBe(10_000);
  });

  it('computes ROI in basis points and costs per lead and order', () => {
    expect(effectRatios({ revenueMinor: 30_000_00, costMinor: 10_000_00, leads: 4, orders: 3 }))
      .toEqual({ roiBasisPoints: 20_000, costPerLeadMinor: 2_500_00, costPerOrderMinor: 333_333 });
    expect(effectRatios({ revenueMinor: 5, costMinor: 0, leads: 0, orders: 0 }))
      .toEqual({ roiBasisPoints: null, costPerLeadMinor: null, costPerOrderMinor: null });
  });
});
