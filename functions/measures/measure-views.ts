import type { MeasureRow, MeasureTile } from '../../schemas/measures/tiles';

type Item = Record<string, unknown>;
type Figures = MeasureRow['figures'];

/** Attributes of an aggregate item that are not figures. */
const NOT_FIGURES = new Set(['pk', 'sk', 'tile', 'period', 'dimension', 'label', 'updatedAt']);

const ratio = (part: number | undefined, whole: number | undefined) => (whole ? (part ?? 0) / whole : null);

/**
 * What each tile computes from its sums and counts. Money figures are per currency: ROI and costs per
 * lead or order compare revenue and cost in the same currency only.
 */
const FIGURES: Record<MeasureTile, (counts: Record<string, number>, money: MeasureRow['money']) => Figures> = {
  pipeline: (c) => ({
    conversionRate: ratio(c.advanced, c.exited),
    averageDaysInStage: c.timedExits ? (c.stageSeconds ?? 0) / c.timedExits / 86_400 : null,
  }),
  leads: (c) => ({ conversionRate: ratio(c.converted, c.created) }),
  response: (c) => ({
    responseRate: ratio(c.responded, c.created),
    averageResponseHours: c.responded ? (c.responseSeconds ?? 0) / c.responded / 3600 : null,
  }),
  campaigns: (c, money) => {
    const figures: Figures = {};
    const currencies = new Set([...Object.keys(money.costMinor ?? {}), ...Object.keys(money.revenueMinor ?? {})]);
    for (const currency of currencies) {
      const cost = money.costMinor?.[currency] ?? 0;
      const revenue = money.revenueMinor?.[currency] ?? 0;
      // basis points, as the settlement's effect report gives ROI: (revenue - cost) / cost
      figures[`roiBasisPoints#${currency}`] = cost ? Math.round(((revenue - cost) / cost) * 10_000) : null;
      figures[`costPerLeadMinor#${currency}`] = c.leads && cost ? Math.round(cost / c.leads) : null;
      figures[`costPerOrderMinor#${currency}`] = c.orders && cost ? Math.round(cost / c.orders) : null;
    }
    return figures;
  },
  promotions: () => ({}),
  accounts: (c) => ({ averagePaymentDays: c.paidOrders ? (c.paymentDays ?? 0) / c.paidOrders : null }),
  service: (c) => ({
    // of the tickets closed, the share that missed a target (first response or resolution)
    breachRate: ratio(c.closedBreached, c.closed),
    averageFirstResponseWorkingHours: c.timedFirstResponses ? (c.firstResponseWorkingSeconds ?? 0) / c.timedFirstResponses / 3600 : null,
    averageResolutionWorkingHours: c.timedResolutions ? (c.resolutionWorkingSeconds ?? 0) / c.timedResolutions / 3600 : null,
    averageSatisfaction: c.ratings ? (c.ratingSum ?? 0) / c.ratings : null,
  }),
};

/** An aggregate item's counts and money (`<field>#<currency>` attributes, grouped by field). */
export function splitFigures(item: Item): Pick<MeasureRow, 'counts' | 'money'> {
  const counts: Record<string, number> = {};
  const money: MeasureRow['money'] = {};
  for (const [name, value] of Object.entries(item)) {
    if (NOT_FIGURES.has(name) || typeof value !== 'number') continue;
    const [field = name, currency] = name.split('#');
    if (currency) (money[field] ??= {})[currency] = value;
    else counts[name] = value;
  }
  return { counts, money };
}

function addInto(target: Pick<MeasureRow, 'counts' | 'money'>, source: Pick<MeasureRow, 'counts' | 'money'>) {
  for (const [name, value] of Object.entries(source.counts)) target.counts[name] = (target.counts[name] ?? 0) + value;
  for (const [field, byCurrency] of Object.entries(source.money)) {
    for (const [currency, value] of Object.entries(byCurrency)) {
      const sums = (target.money[field] ??= {});
      sums[currency] = (sums[currency] ?? 0) + value;
    }
  }
}

/** A tile's rows (one per month and dimension, as stored) and totals (one per dimension over the range), with their figures. */
export function tileView(tile: MeasureTile, items: Item[]): { rows: MeasureRow[]; totals: MeasureRow[] } {
  const compute = FIGURES[tile];
  const rows: MeasureRow[] = [];
  const totals = new Map<string, MeasureRow>();
  for (const item of items) {
    const dimension = String(item.dimension);
    const label = typeof item.label === 'string' ? item.label : undefined;
    const split = splitFigures(item);
    rows.push({ period: String(item.period), dimension, ...(label ? { label } : {}), ...split, figures: compute(split.counts, split.money) });
    const total = totals.get(dimension) ?? { dimension, counts: {}, money: {}, figures: {} };
    if (label) total.label = label;
    addInto(total, split);
    totals.set(dimension, total);
  }
  return { rows, totals: [...totals.values()].map((t) => ({ ...t, figures: compute(t.counts, t.money) })) };
}
