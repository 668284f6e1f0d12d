import { describe, expect, it } from 'vitest';
import { effectReportMail, effectReportOf, type EffectInput } from '../../functions/promotions/effect-report';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const promotion = (id: string, approvedMinor: number, claimedMinor: number, releasedMinor: number) => ({
  id, name: `Promotion ${id}`, money: { approvedMinor, claimedMinor, releasedMinor },
});
const input = (over: Partial<EffectInput> = {}): EffectInput => ({
  target: { type: 'campaign', id: 'c-1' },
  settledAt: '2027-03-01T00:00:00.000Z',
  currency: 'EUR',
  attributed: [],
  promotions: [],
  conversions: 0,
  ...over,
});

describe('the effect report of a settlement', () => {
  it('counts payments as revenue and orders apart, so nothing is counted twice; cost is the approved claims', () => {
    const report = effectReportOf(input({
      attributed: [
        { kind: 'order', amount: eur(50_000) },
        { kind: 'order', amount: eur(30_000) },
        { kind: 'payment', amount: eur(60_000) },
        { kind: 'lead' },
        { kind: 'lead' },
      ],
      promotions: [promotion('p-1', 40_000, 20_000, 20_000), promotion('p-2', 10_000, 10_000, 0)],
      conversions: 3,
    }));
    expect(report).toEqual({
      target: { type: 'campaign', id: 'c-1' }, settledAt: '2027-03-01T00:00:00.000Z', currency: 'EUR',
      revenueMinor: 60_000, payments: 1, orderValueMinor: 80_000, orders: 2, leads: 2, costMinor: 30_000,
      roiBasisPoints: 10_000, costPerLeadMinor: 15_000, costPerOrderMinor: 15_000, conversions: 3,
      promotions: [
        { id: 'p-1', name: 'Promotion p-1', approvedMinor: 40_000, claimedMinor: 20_000, releasedMinor: 20_000 },
        { id: 'p-2', name: 'Promotion p-2', approvedMinor: 10_000, claimedMinor: 10_000, releasedMinor: 0 },
      ],
      excludedEvents: 0, lateEvents: 0,
    });
  });

  it('leaves late events and events in another currency out of the figures, and counts them', () => {
    const report = effectReportOf(input({
      attributed: [
        { kind: 'payment', amount: eur(1_000) },
        { kind: 'payment', amount: eur(9_000), late: true },
        { kind: 'payment', amount: { amountMinor: 5_000, currency: 'USD' } },
        { kind: 'order', amount: { amountMinor: 7_000, currency: 'USD' } },
        { kind: 'lead', late: true },
      ],
    }));
    expect(report).toMatchObject({ revenueMinor: 1_000, payments: 1, orders: 0, orderValueMinor: 0, leads: 0, excludedEvents: 2, lateEvents: 2 });
  });

  it('has no ratios without cost, leads or orders, and no conversions for a promotion settled on its own', () => {
    const report = effectReportOf(input({ target: { type: 'promotion', id: 'p-9' }, conversions: null }));
    expect(report).toMatchObject({ roiBasisPoints: null, costPerLeadMinor: null, costPerOrderMinor: null, conversions: null });
  });

  it('mails the figures to whom it is given', () => {
    const report = effectReportOf(input({ attributed: [{ kind: 'payment', amount: eur(12_345) }], promotions: [promotion('p-1', 10_000, 5_000, 5_000)] }));
    const mail = effectReportMail(report, 'Spring push', ['owner@example.com', 'finance@example.com']);
    expect(mail.to).toEqual(['owner@example.com', 'finance@example.com']);
    expect(mail.subject).toBe('Effect report: Spring push');
    expect(mail.text.split('\n')).toEqual([
      'Effect report of campaign Spring push (settled 2027-03-01T00:00:00.000Z)',
      'Revenue (payments): 123.45 EUR from 1 payment(s)',
      'Orders: 0 worth 0.00 EUR; leads: 0',
      'Cost (approved claims): 50.00 EUR',
      'ROI: 146.90 %; cost per lead: n/a; cost per order: n/a',
      'Conversions from nurture sequences: 0',
      'Promotion Promotion p-1: approved 100.00 EUR, claimed 50.00 EUR, released 50.00 EUR',
    ]);
  });
});
