import { useState } from 'react';
import { useApp } from '../app-context';
import { formatCalendarDate, formatDate, formatDateTime, formatMoney } from '../format';

export function Money({ minor, currency }: { minor: number; currency: string }) {
  const { locale } = useApp();
  return <span className="money">{formatMoney(minor, currency, locale.locale)}</span>;
}

export function When({ at, dateOnly }: { at: string; dateOnly?: boolean }) {
  const { locale } = useApp();
  return <time dateTime={at}>{dateOnly ? formatDate(at, locale) : formatDateTime(at, locale)}</time>;
}

export function CalendarDate({ date }: { date: string }) {
  const { locale } = useApp();
  return <time dateTime={date}>{formatCalendarDate(date, locale)}</time>;
}

/** "due Wed 9 Dec, 17:00", marked overdue once past. */
export function Due({ at }: { at: string }) {
  const { locale } = useApp();
  const [now] = useState(() => Date.now());
  const overdue = Date.parse(at) < now;
  return (
    <span>
      due <time dateTime={at}>{formatDateTime(at, locale)}</time>
      {overdue && <> <span className="badge bad">overdue</span></>}
    </span>
  );
}

const STATUS_TONE: Record<string, string> = {
  approved: 'ok', active: 'ok', paid: 'ok', 'closed-out': 'ok', settled: 'ok', 'closed-won': 'ok', qualified: 'ok',
  rejected: 'bad', cancelled: 'bad', recalled: 'bad', 'closed-lost': 'bad', blocked: 'bad', disqualified: 'bad',
  pending: 'warn', submitted: 'warn', ended: 'warn', 'changes-requested': 'warn', open: 'warn', escalated: 'warn',
};
export function Status({ value }: { value: string }) {
  return <span className={`badge ${STATUS_TONE[value] ?? ''}`}>{value.replace(/-/g, ' ')}</span>;
}
