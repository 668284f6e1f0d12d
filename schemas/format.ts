/**
 * Money and time as people read them, in the console and in mail: amounts from minor units in the
 * reader's locale with their currency, instants in the reader's time zone (never raw ISO).
 */
export interface Locale {
  /** a BCP 47 tag, e.g. en-GB */
  locale: string;
  /** an IANA zone, e.g. Europe/Berlin */
  timeZone: string;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(locale: string, currency: string) {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  return format;
}

/** The number of minor units in one major unit of a currency (100 for EUR, 1 for JPY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  return moneyFormat(locale, currency).format(amountMinor / 10 ** minorDigits(currency));
}

/** "Wed 9 Dec, 17:00" in the reader's zone; the year is added when it is not this year. */
export function formatDateTime(iso: string, { locale, timeZone }: Locale, now = new Date()): string {
  const date = new Date(iso);
  const year = (d: Date) => new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(d);
  return new Intl.DateTimeFormat(locale, {
    timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    ...(year(date) === year(now) ? {} : { year: 'numeric' }),
  }).format(date);
}

/** "9 Dec 2027" in the reader's zone. */
export function formatDate(iso: string, { locale, timeZone }: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}
