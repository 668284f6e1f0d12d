import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney, fromLocalInput, parseAmount, toLocalInput } from '../../console/src/format';

describe('money as people read it', () => {
  it('is shown from minor units in the locale, with its currency', () => {
    expect(formatMoney(1_234_50, 'EUR', 'en-GB')).toBe('€1,234.50');
    expect(formatMoney(1_234_50, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney(1500, 'JPY', 'en-GB')).toBe('JP¥1,500');
  });

  it('is read back to minor units from what a person types in their locale', () => {
    expect(parseAmount('1,250.5', 'EUR', 'en-GB')).toBe(1_250_50);
    expect(parseAmount('1.250,50', 'EUR', 'de-DE')).toBe(1_250_50);
    expect(parseAmount('1500', 'JPY', 'en-GB')).toBe(1500);
    expect(parseAmount('12.345', 'EUR', 'en-GB')).toBeUndefined();
    expect(parseAmount('ten', 'EUR', 'en-GB')).toBeUndefined();
  });
});

describe('deadlines as people read them', () => {
  it('are shown in the user\'s zone: "Wed 9 Dec, 17:00"', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    expect(formatDateTime('2026-12-09T16:00:00Z', { locale: 'en-GB', timeZone: 'Europe/Berlin' }, now)).toBe('Wed 9 Dec, 17:00');
    expect(formatDateTime('2026-12-09T16:00:00Z', { locale: 'en-GB', timeZone: 'America/New_York' }, now)).toBe('Wed 9 Dec, 11:00');
    expect(formatDateTime('2027-06-01T08:00:00Z', { locale: 'en-GB', timeZone: 'Europe/Berlin' }, now)).toBe('Tue, 1 Jun 2027, 10:00');
  });

  it('are typed in the user\'s zone and sent as the instant they stand for', () => {
    expect(fromLocalInput('2027-06-01T09:00', 'Europe/Berlin')).toBe('2027-06-01T07:00:00.000Z');
    expect(fromLocalInput('2027-01-15T09:00', 'Europe/Berlin')).toBe('2027-01-15T08:00:00.000Z');
    expect(toLocalInput('2027-06-01T07:00:00.000Z', 'Europe/Berlin')).toBe('2027-06-01T09:00');
    expect(fromLocalInput('', 'Europe/Berlin')).toBeUndefined();
  });
});
