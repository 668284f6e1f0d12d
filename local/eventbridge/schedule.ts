/**
 * EventBridge schedule expressions: `rate(5 minutes)` and the six-field, UTC `cron(min hour
 * day-of-month month day-of-week year)` with `*`, `?`, lists, ranges, steps and month/day names.
 * The `L`, `W` and `#` forms are not supported locally.
 */

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Returns the first fire time after `after` (ms); `anchor` is when a rate schedule started. */
export type NextFire = (after: number) => number;

export function compileSchedule(expression: string, anchor: number): NextFire {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (rate) {
    const period = Number(rate[1]) * RATE_UNITS[rate[2]!]!;
    if (period <= 0) throw new Error(`${expression}: the rate must be positive`);
    return (after) => anchor + (Math.floor((after - anchor) / period) + 1) * period;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new Error(`${expression} is neither rate(...) nor cron(...)`);
  return compileCron(expression, cron[1]!.trim().split(/\s+/));
}

type Field = (value: number) => boolean;

function field(text: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  if (text === '*' || text === '?') return () => true;
  const number = (part: string) => {
    const index = names.indexOf(part.toUpperCase());
    const n = index >= 0 ? index + nameBase : Number(part);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`'${part}' is not in ${min}-${max}`);
    return n;
  };
  const allowed = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : number(stepText);
    const [from, to] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(number) : [number(range), stepText ? max : number(range)];
    for (let v = from!; v <= to!; v += step) allowed.add(v);
  }
  return (value) => allowed.has(value);
}

function compileCron(expression: string, parts: string[]): NextFire {
  if (parts.length !== 6) throw new Error(`${expression}: cron needs six fields (minutes hours day-of-month month day-of-week year)`);
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if (/[LW]/.test(dom) || /[L#]/.test(dow.toUpperCase().replace(/[A-Z]{3}/g, ''))) {
    throw new Error(`${expression}: the L, W and # forms are not supported locally`);
  }
  const minuteOk = field(minutes, 0, 59);
  const hourOk = field(hours, 0, 23);
  const domOk = field(dom, 1, 31);
  const monthOk = field(month, 1, 12, MONTHS, 1);
  const dowOk = field(dow, 1, 7, DAYS, 1);
  const yearOk = field(year, 1970, 2199);
  return (after) => {
    let t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
    for (let guard = 0; guard < 200_000; guard++) {
      const [Y, M, D, h] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()];
      if (Y > 2199) break;
      if (!yearOk(Y)) t = new Date(Date.UTC(Y + 1, 0, 1));
      else if (!monthOk(M + 1)) t = new Date(Date.UTC(Y, M + 1, 1));
      else if (!domOk(D) || !dowOk(t.getUTCDay() + 1)) t = new Date(Date.UTC(Y, M, D + 1));
      else if (!hourOk(h)) t = new Date(Date.UTC(Y, M, D, h + 1));
      else if (!minuteOk(t.getUTCMinutes())) t = new Date(t.getTime() + 60_000);
      else return t.getTime();
    }
    throw new Error(`${expression} never fires again`);
  };
}
