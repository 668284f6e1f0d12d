import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useId, type ReactNode } from 'react';
import type { MeasureQuery, MeasureRow, MeasureTile, MeasureTileResponse } from '../../../schemas/measures/tiles';
import { api } from '../api/client';
import { useApp } from '../app-context';
import { formatMoney } from '../format';
import { QueryView } from '../ui/states';

export interface DashboardSearch { from?: string; to?: string; scope?: string }

const TITLES: Record<MeasureTile, string> = {
  pipeline: 'Pipeline: conversion and time per stage',
  leads: 'Lead-to-customer conversion',
  response: 'Response to new leads and deals',
  campaigns: 'Campaigns: ROI, cost per lead and per order',
  promotions: 'Promotions and funds: approved, claimed, spent, released',
  accounts: 'Accounts: orders, payment days and revenue',
  service: 'Service: SLA breaches, response and resolution times, satisfaction',
};
const STAGE_ORDER = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed-won', 'closed-lost'];

const scopeKey = (c: { view: string; departmentId?: string }) => (c.departmentId ? `${c.view}:${c.departmentId}` : c.view);

function useFormat() {
  const { locale } = useApp();
  return {
    number: (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '–' : new Intl.NumberFormat(locale.locale, { maximumFractionDigits: digits }).format(n)),
    percent: (n: number | null | undefined) => (n === null || n === undefined ? '–' : new Intl.NumberFormat(locale.locale, { style: 'percent', maximumFractionDigits: 1 }).format(n)),
    money: (byCurrency: Record<string, number> | undefined) => {
      const entries = Object.entries(byCurrency ?? {});
      return entries.length ? entries.map(([currency, minor]) => formatMoney(minor, currency, locale.locale)).join(', ') : '–';
    },
    month: (period: string) => new Intl.DateTimeFormat(locale.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${period}-01T00:00:00Z`)),
  };
}

/**
 * A bar chart drawn as SVG: an image with a name for screen readers; the table beside it holds the same
 * figures for everyone who does not read charts.
 */
function BarChart({ title, bars }: { title: string; bars: { label: string; value: number; shown: string }[] }) {
  const id = useId();
  if (bars.length === 0) return null;
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), 1);
  const rowHeight = 26;
  const labelWidth = 150;
  const width = 520;
  return (
    <figure className="chart">
      <svg role="img" aria-labelledby={`${id}-title`} viewBox={`0 0 ${width} ${bars.length * rowHeight + 4}`} width="100%" preserveAspectRatio="xMinYMin meet">
        <title id={`${id}-title`}>{`${title}: ${bars.map((b) => `${b.label} ${b.shown}`).join('; ')}`}</title>
        {bars.map((b, i) => {
          const barWidth = Math.max(1, (Math.abs(b.value) / max) * (width - labelWidth - 110));
          return (
            <g key={b.label} transform={`translate(0, ${i * rowHeight + 2})`}>
              <text x={labelWidth - 6} y={rowHeight / 2 + 4} textAnchor="end" className="chart-label">{b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label}</text>
              <rect x={labelWidth} y={3} width={barWidth} height={rowHeight - 8} className="chart-bar" rx={2} />
              <text x={labelWidth + barWidth + 6} y={rowHeight / 2 + 4} className="chart-value">{b.shown}</text>
            </g>
          );
        })}
      </svg>
      <figcaption className="visually-hidden">{title}</figcaption>
    </figure>
  );
}

function Table({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead><tr>{head.map((h, i) => <th key={h} scope="col" className={i ? 'num' : undefined}>{h}</th>)}</tr></thead>
        <tbody>{rows.map((cells, r) => <tr key={r}>{cells.map((c, i) => (i ? <td key={i} className="num">{c}</td> : <th key={i} scope="row">{c}</th>))}</tr>)}</tbody>
      </table>
    </div>
  );
}

const labelOf = (row: MeasureRow) => row.label ?? row.dimension.replace(/^(PROMOTION|FUND)#/, '').replace(/-/g, ' ');
const firstFigure = (row: MeasureRow, prefix: string) => Object.entries(row.figures).find(([k]) => k.startsWith(prefix));
const firstMoney = (byCurrency: Record<string, number> | undefined) => Object.values(byCurrency ?? {})[0] ?? 0;

/** One tile: its chart and its table, from one response of GET /measures/tiles/{tile}. */
function TileView({ data }: { data: MeasureTileResponse }) {
  const f = useFormat();
  const title = TITLES[data.tile];
  const totals = data.totals;
  switch (data.tile) {
    case 'pipeline': {
      const stages = [...totals].sort((a, b) => STAGE_ORDER.indexOf(a.dimension) - STAGE_ORDER.indexOf(b.dimension));
      return (
        <>
          <BarChart title="Deals entering each stage" bars={stages.map((s) => ({ label: labelOf(s), value: s.counts.entered ?? 0, shown: f.number(s.counts.entered ?? 0) }))} />
          <Table caption={title} head={['Stage', 'Entered', 'Left', 'Moved on', 'Conversion', 'Average days in stage']}
            rows={stages.map((s) => [labelOf(s), f.number(s.counts.entered ?? 0), f.number(s.counts.exited ?? 0), f.number(s.counts.advanced ?? 0), f.percent(s.figures.conversionRate), f.number(s.figures.averageDaysInStage)])} />
        </>
      );
    }
    case 'leads': {
      const months = [...data.rows].sort((a, b) => String(a.period).localeCompare(String(b.period)));
      return (
        <>
          <BarChart title="Leads converted, by the month they came" bars={months.map((m) => ({ label: f.month(String(m.period)), value: m.figures.conversionRate ?? 0, shown: f.percent(m.figures.conversionRate) }))} />
          <Table caption={title} head={['Month', 'New leads', 'Became customers', 'Conversion']}
            rows={months.map((m) => [f.month(String(m.period)), f.number(m.counts.created ?? 0), f.number(m.counts.converted ?? 0), f.percent(m.figures.conversionRate)])} />
        </>
      );
    }
    case 'response':
      return (
        <>
          <BarChart title="Average hours to the first response" bars={totals.filter((t) => typeof t.figures.averageResponseHours === 'number').map((t) => ({ label: t.dimension === 'lead' ? 'Leads' : 'Deals', value: t.figures.averageResponseHours ?? 0, shown: `${f.number(t.figures.averageResponseHours)} h` }))} />
          <Table caption={title} head={['New', 'Created', 'Answered', 'Answered share', 'Average hours to answer']}
            rows={totals.map((t) => [t.dimension === 'lead' ? 'Leads' : 'Deals', f.number(t.counts.created ?? 0), f.number(t.counts.responded ?? 0), f.percent(t.figures.responseRate), f.number(t.figures.averageResponseHours)])} />
        </>
      );
    case 'campaigns':
      return (
        <>
          <BarChart title="Revenue per campaign" bars={totals.map((t) => ({ label: labelOf(t), value: firstMoney(t.money.revenueMinor), shown: f.money(t.money.revenueMinor) }))} />
          <Table caption={title} head={['Campaign', 'Leads', 'Orders', 'Revenue', 'Cost', 'ROI', 'Cost per lead', 'Cost per order']}
            rows={totals.map((t) => {
              const roi = firstFigure(t, 'roiBasisPoints#');
              const perLead = firstFigure(t, 'costPerLeadMinor#');
              const perOrder = firstFigure(t, 'costPerOrderMinor#');
              const money = (entry: [string, number | null] | undefined) => (entry?.[1] === null || entry === undefined ? '–' : f.money({ [entry[0].split('#')[1]!]: entry[1] }));
              return [labelOf(t), f.number(t.counts.leads ?? 0), f.number(t.counts.orders ?? 0), f.money(t.money.revenueMinor), f.money(t.money.costMinor),
                roi?.[1] === null || roi === undefined ? '–' : f.percent(roi[1] / 10_000), money(perLead), money(perOrder)];
            })} />
        </>
      );
    case 'promotions':
      return (
        <>
          <BarChart title="Approved per promotion" bars={totals.filter((t) => t.dimension.startsWith('PROMOTION#')).map((t) => ({ label: labelOf(t), value: firstMoney(t.money.approvedMinor), shown: f.money(t.money.approvedMinor) }))} />
          <Table caption={title} head={['Promotion or fund', 'Approved', 'Claimed', 'Spent', 'Released']}
            rows={totals.map((t) => [`${t.dimension.startsWith('FUND#') ? 'Fund: ' : ''}${labelOf(t)}`, f.money(t.money.approvedMinor), f.money(t.money.claimedMinor), f.money(t.money.spentMinor), f.money(t.money.releasedMinor)])} />
        </>
      );
    case 'accounts': {
      const trend = new Map<string, Record<string, number>>();
      for (const row of data.rows) {
        const sums = trend.get(String(row.period)) ?? {};
        for (const [currency, minor] of Object.entries(row.money.revenueMinor ?? {})) sums[currency] = (sums[currency] ?? 0) + minor;
        trend.set(String(row.period), sums);
      }
      const months = [...trend.entries()].sort(([a], [b]) => a.localeCompare(b));
      return (
        <>
          <BarChart title="Revenue by month" bars={months.map(([period, sums]) => ({ label: f.month(period), value: firstMoney(sums), shown: f.money(sums) }))} />
          <Table caption={title} head={['Account', 'Orders', 'Order value', 'Payments', 'Revenue', 'Average payment days']}
            rows={totals.map((t) => [labelOf(t), f.number(t.counts.orders ?? 0), f.money(t.money.orderedMinor), f.number(t.counts.payments ?? 0), f.money(t.money.revenueMinor), f.number(t.figures.averagePaymentDays)])} />
        </>
      );
    }
    case 'service': {
      const months = [...data.rows].sort((a, b) => String(a.period).localeCompare(String(b.period)));
      const lines = months.map((m): [string, MeasureRow] => [f.month(String(m.period)), m]);
      if (months.length > 1 && totals[0]) lines.push(['All these months', totals[0]]);
      return (
        <>
          <BarChart title="SLA breach rate of the tickets closed, by month" bars={months.filter((m) => m.counts.closed).map((m) => ({ label: f.month(String(m.period)), value: m.figures.breachRate ?? 0, shown: f.percent(m.figures.breachRate) }))} />
          <Table caption={title} head={['Month', 'Opened', 'Reopened', 'First responses', 'Average working hours to first response', 'Closed', 'SLA breach rate', 'Average working hours to resolution', 'Ratings', 'Average satisfaction (1-5)']}
            rows={lines.map(([label, r]) => [label, f.number(r.counts.opened ?? 0), f.number(r.counts.reopened ?? 0), f.number(r.counts.firstResponses ?? 0), f.number(r.figures.averageFirstResponseWorkingHours),
              f.number(r.counts.closed ?? 0), f.percent(r.figures.breachRate), f.number(r.figures.averageResolutionWorkingHours), f.number(r.counts.ratings ?? 0), f.number(r.figures.averageSatisfaction)])} />
          <p className="muted">
            Working hours are counted on the team&apos;s calendar and in its zone, as its SLA counts them, without the time a ticket waited on the customer.
            The SLA breach rate is the share of the tickets closed in the month that missed their first-response or resolution target.
          </p>
        </>
      );
    }
  }
}

function Tile({ tile, query }: { tile: MeasureTile; query: MeasureQuery }) {
  const id = useId();
  const result = useQuery({ queryKey: ['measures', tile, query], queryFn: () => api('GET /measures/tiles/{tile}', { path: { tile }, query }) });
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{TITLES[tile]}</h2>
      <QueryView query={result} label={TITLES[tile].toLowerCase()} isEmpty={(d) => d.totals.length === 0} empty="Nothing measured in these months yet.">
        {(data) => <TileView data={data} />}
      </QueryView>
    </section>
  );
}

/** The dashboard: the measures of the caller's role, for the months and the figures (own, department, tree) they choose. */
export function DashboardPage() {
  const search = useSearch({ from: '/signed-in/dashboard' });
  const navigate = useNavigate({ from: '/dashboard' });
  const scopes = useQuery({ queryKey: ['measure-scopes'], queryFn: () => api('GET /measures/scopes') });
  const set = (next: Partial<DashboardSearch>) => void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true });
  return (
    <>
      <h1>Dashboard</h1>
      <QueryView query={scopes} label="the dashboard">
        {({ choices, tiles, currentMonth }) => {
          // the system's month, not the browser's: they differ on a laptop whose local clock was moved;
          // a last month picked alone before it starts the range, as the API reads it
          const from = search.from ?? (search.to && search.to < currentMonth ? search.to : currentMonth);
          const to = search.to && search.to >= from ? search.to : from;
          const chosen = choices.find((c) => scopeKey(c) === search.scope) ?? choices[0];
          const query = { from, to, ...(chosen ? { view: chosen.view, ...(chosen.departmentId ? { departmentId: chosen.departmentId } : {}) } : {}) };
          return (
            <>
              <form className="card filters" aria-label="Which figures" onSubmit={(e) => e.preventDefault()}>
                <div className="row">
                  <div className="field">
                    <label htmlFor="measures-from">From month</label>
                    <input id="measures-from" type="month" value={from} onChange={(e) => e.target.value && set({ from: e.target.value })} />
                  </div>
                  <div className="field">
                    <label htmlFor="measures-to">To month</label>
                    <input id="measures-to" type="month" value={to} min={from} onChange={(e) => e.target.value && set({ to: e.target.value })} />
                  </div>
                  <div className="field">
                    <label htmlFor="measures-scope">Whose figures</label>
                    <select id="measures-scope" value={chosen ? scopeKey(chosen) : ''} onChange={(e) => set({ scope: e.target.value })}>
                      {choices.map((c) => <option key={scopeKey(c)} value={scopeKey(c)}>{c.label}</option>)}
                    </select>
                  </div>
                </div>
                <p className="muted">Months are calendar months in UTC. Money is shown in your locale, in the currency it was booked in.</p>
              </form>
              <div className="dashboard">
                {tiles.map((tile) => <Tile key={tile} tile={tile} query={query} />)}
              </div>
            </>
          );
        }}
      </QueryView>
    </>
  );
}
