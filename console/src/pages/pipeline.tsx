import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { OpportunityStageSchema } from '../../../schemas/records/opportunity';
import { ApiError, api } from '../api/client';
import type { Opportunity } from '../api/endpoints';
import { useApp } from '../app-context';
import { formatMoney } from '../format';
import { usePeople } from '../people';
import { CalendarDate, Money } from '../ui/format';
import { QueryView } from '../ui/states';

const STAGES = OpportunityStageSchema.options;
type Stage = (typeof STAGES)[number];
const label = (stage: string) => stage.replace(/-/g, ' ');

/** Totals per currency, e.g. "€162,000.00" (one line per currency a column holds). */
function totals(deals: Opportunity[], locale: string): string {
  const sums = new Map<string, number>();
  for (const d of deals) sums.set(d.amount.currency, (sums.get(d.amount.currency) ?? 0) + d.amount.amountMinor);
  return sums.size === 0 ? formatMoney(0, 'EUR', locale) : [...sums].map(([currency, minor]) => formatMoney(minor, currency, locale)).join(' + ');
}

/** The pipeline: a column per stage with its total; drag a card, or choose its stage and press Move (the keyboard's way), to move it. */
export function PipelinePage() {
  const { locale } = useApp();
  const people = usePeople();
  const client = useQueryClient();
  const deals = useQuery({ queryKey: ['opportunities', 'all'], queryFn: () => api('GET /opportunities', { query: { limit: 100 } }) });
  const [over, setOver] = useState<Stage>();
  const [message, setMessage] = useState('');
  const move = useMutation({
    mutationFn: ({ deal, stage }: { deal: Opportunity; stage: Stage }) =>
      api('PATCH /opportunities/{id}', { path: { id: deal.id }, body: { version: deal.version, stage } }),
    onSuccess: (saved) => setMessage(`${saved.name} moved to ${label(saved.stage)}.`),
    onError: (error, { deal }) => setMessage(error instanceof ApiError && error.status === 409
      ? `${deal.name} was changed by someone else meanwhile: the board now shows the latest; try again.`
      : `${deal.name} could not move: ${error.message}`),
    onSettled: () => client.invalidateQueries({ queryKey: ['opportunities'] }),
  });
  const moveTo = (deal: Opportunity | undefined, stage: Stage) => {
    if (deal && deal.stage !== stage) move.mutate({ deal, stage });
  };
  const drop = (stage: Stage) => (event: DragEvent) => {
    event.preventDefault();
    setOver(undefined);
    moveTo(deals.data?.items.find((d) => d.id === event.dataTransfer.getData('text/plain')), stage);
  };
  return (
    <>
      <h1>Pipeline</h1>
      <p role="status" aria-live="polite" className={message ? 'alert' : 'visually-hidden'}>{message}</p>
      <QueryView query={deals} label="opportunities">
        {(d) => (
          <div className="board">
            {STAGES.map((stage) => {
              const column = d.items.filter((o) => o.stage === stage);
              return (
                <section key={stage} aria-labelledby={`stage-${stage}`} className={over === stage ? 'drop' : ''}
                  onDragOver={(e) => { e.preventDefault(); setOver(stage); }} onDragLeave={() => setOver(undefined)} onDrop={drop(stage)}>
                  <h2 id={`stage-${stage}`}>{label(stage)} <span className="muted">({column.length})</span></h2>
                  <p>Total: <strong>{totals(column, locale.locale)}</strong></p>
                  {column.map((o) => (
                    <article key={o.id} className="deal" draggable onDragStart={(e) => e.dataTransfer.setData('text/plain', o.id)} aria-label={o.name}>
                      <strong>{o.name}</strong>
                      <div><Money minor={o.amount.amountMinor} currency={o.amount.currency} /> · {o.probability} %</div>
                      <div className="muted">closes <CalendarDate date={o.expectedCloseDate} /> · {people.name(o.ownerId)}</div>
                      <MoveForm deal={o} busy={move.isPending} onMove={(stage) => moveTo(o, stage)} />
                    </article>
                  ))}
                </section>
              );
            })}
          </div>
        )}
      </QueryView>
    </>
  );
}

/**
 * A card's keyboard way to move: choose the stage, then press Move. Moving on the select's change alone
 * would move the deal at every arrow key a person presses while reading the stages.
 */
function MoveForm({ deal, busy, onMove }: { deal: Opportunity; busy: boolean; onMove: (stage: Stage) => void }) {
  const [stage, setStage] = useState<Stage>(deal.stage);
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); onMove(stage); }}>
      <label className="visually-hidden" htmlFor={`move-${deal.id}`}>Stage of {deal.name}</label>
      <select id={`move-${deal.id}`} value={stage} onChange={(e) => setStage(e.target.value as Stage)}>
        {STAGES.map((s) => <option key={s} value={s}>{label(s)}</option>)}
      </select>
      <button type="submit" className="secondary" disabled={busy || stage === deal.stage} aria-label={`Move ${deal.name}`}>Move</button>
    </form>
  );
}
