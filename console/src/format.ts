/**
 * Money and time in the console: shown with the formats mail uses too (schemas/format.ts), in the
 * browser's locale and the user's profile zone; and read back from what people type.
 */
import { minorDigits, type Locale } from '../../schemas/format';

export { formatDate, formatDateTime, formatMoney, minorDigits, type Locale } from '../../schemas/format';

export const browserLocale = (): Locale => ({
  locale: (globalThis as { navigator?: { language?: string } }).navigator?.language ?? 'en-GB',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
});

/** "1,234.50" typed by a person, in their locale, to minor units; undefined when it is not an amount. */
export function parseAmount(text: string, currency: string, locale: string): number | undefined {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const normal = text.trim().split(group).join('').replace(/\s/g, '').replace(decimal, '.');
  if (!/^\d+(\.\d+)?$/.test(normal)) return undefined;
  const digits = minorDigits(currency);
  const [whole = '0', fraction = ''] = normal.split('.');
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** An amount in minor units as a person would type it back ("1234.50" in en, "1234,50" in de). */
export function amountInput(amountMinor: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { useGrouping: false, minimumFractionDigits: minorDigits(currency) })
    .format(amountMinor / 10 ** minorDigits(currency));
}

/** A calendar date (YYYY-MM-DD, no zone): the same day everywhere. */
export function formatCalendarDate(date: string, { locale }: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
}

/** The value a datetime-local input shows for an instant, in the user's zone. */
export function toLocalInput(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The instant a datetime-local value (in the user's zone) stands for, as ISO; undefined when empty or invalid. */
export function fromLocalInput(value: string, timeZone: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const asUtc = Date.parse(`${value}:00Z`);
  // the zone's offset at that wall time: format the UTC guess back in the zone and correct by the difference
  const offset = (at: number) => Date.parse(`${toLocalInput(new Date(at).toISOString(), timeZone)}:00Z`) - at;
  const first = asUtc - offset(asUtc);
  return new Date(asUtc - offset(first)).toISOString();
}
