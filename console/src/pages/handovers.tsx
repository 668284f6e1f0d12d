import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { HANDOVER_ITEM_KINDS, HandoverBodySchema } from '../../../schemas/handover/handover';
import { api } from '../api/client';
import type { HandoverBody, HandoverPreview } from '../api/endpoints';
import { useMe } from '../app-context';
import { useFieldErrors } from '../forms';
import { usePeople } from '../people';
import { SelectField, TextField } from '../ui/fields';
import { Status, When } from '../ui/format';
import { Forbidden, FormError, QueryView } from '../ui/states';

const KIND_LABEL: Record<string, string> = {
  account: 'Accounts', contact: 'Contacts', opportunity: 'Open opportunities', promotion: 'Promotions', 'approval-task': 'Pending approval tasks', ticket: 'Service tickets', lead: 'Leads',
};
const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind;

interface SplitDraft { toUserId: string; regions: string }
const listOf = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** Hand a user's book to others: pick whose and to whom (and who gets which regions), preview, start; the latest handovers below. */
export function HandoversPage() {
  const me = useMe();
  const people = usePeople();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errors = useFieldErrors();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [splits, setSplits] = useState<SplitDraft[]>([]);
  const [deactivate, setDeactivate] = useState(false);
  const [preview, setPreview] = useState<HandoverPreview>();
  const mayHandOver = me.roles.some((r) => r === 'ops' || r === 'admin');
  const recent = useQuery({
    queryKey: ['handovers'], queryFn: () => api('GET /handovers'), enabled: mayHandOver,
    // while one still runs, its status follows
    refetchInterval: (query) => (query.state.data?.items.some((h) => !FINISHED.includes(h.status)) ? 2000 : false),
  });
  const body = (): HandoverBody | undefined => errors.checked(HandoverBodySchema, {
    fromUserId: from, toUserId: to, ...(deactivate ? { deactivate } : {}),
    ...(splits.length ? { split: splits.map((s) => ({ toUserId: s.toUserId, regions: listOf(s.regions) })) } : {}),
  });
  const previewing = useMutation({ mutationFn: (b: HandoverBody) => api('POST /handovers/preview', { body: b }), onSuccess: setPreview, onError: errors.fromError });
  const starting = useMutation({
    mutationFn: (b: HandoverBody) => api('POST /handovers', { body: b }),
    onSuccess: async (started) => {
      await client.invalidateQueries({ queryKey: ['handovers'] });
      await navigate({ to: '/handovers/$id', params: { id: started.id } });
    },
    onError: errors.fromError,
  });
  const run = (mutation: typeof previewing | typeof starting) => (event?: FormEvent) => {
    event?.preventDefault();
    const checked = body();
    if (checked) mutation.mutate(checked);
  };
  if (!mayHandOver) return <><h1>Work handover</h1><Forbidden reason="Only ops and admin hand a user's work over to others." /></>;
  const active = people.users.filter((u) => u.status === 'active');
  const choose = (label: string) => [{ value: '', label }, ...active.map((u) => ({ value: u.id, label: u.name }))];
  const setSplit = (index: number, change: Partial<SplitDraft>) => setSplits(splits.map((s, i) => (i === index ? { ...s, ...change } : s)));
  return (
    <>
      <h1>Work handover</h1>
      <div className="card">
        <form onSubmit={run(previewing)} noValidate aria-labelledby="new-handover">
          <h2 id="new-handover">Hand over a user's work</h2>
          <FormError error={previewing.error ?? starting.error} />
          <div className="grid">
            <SelectField label="Whose work" value={from} onChange={(e) => { setFrom(e.target.value); setPreview(undefined); }} error={errors.of('fromUserId')} options={[{ value: '', label: 'Choose someone' }, ...people.users.map((u) => ({ value: u.id, label: u.name }))]} />
            <SelectField label="Hand it to" value={to} onChange={(e) => { setTo(e.target.value); setPreview(undefined); }} error={errors.of('toUserId')} options={choose('Choose someone')}
              hint="Everything the splits below do not give to someone else." />
          </div>
          <fieldset>
            <legend>Split by region (optional)</legend>
            {splits.map((split, i) => (
              <div className="grid" key={i}>
                <SelectField label={`Receiver ${i + 1}`} value={split.toUserId} onChange={(e) => { setSplit(i, { toUserId: e.target.value }); setPreview(undefined); }} error={errors.of(`split.${i}.toUserId`)} options={choose('Choose someone')} />
                <TextField label={`Regions for receiver ${i + 1}`} value={split.regions} onChange={(e) => { setSplit(i, { regions: e.target.value }); setPreview(undefined); }}
                  error={errors.of(`split.${i}.regions`) ?? errors.of(`split.${i}`)} hint="Comma-separated, e.g. North, Baltic: their accounts, leads and promotions, with the accounts' contacts and deals." />
              </div>
            ))}
            <button type="button" className="secondary" onClick={() => setSplits([...splits, { toUserId: '', regions: '' }])}>Add a split</button>
          </fieldset>
          <label style={{ fontWeight: 'normal' }}>
            <input type="checkbox" style={{ width: 'auto' }} checked={deactivate} onChange={(e) => setDeactivate(e.target.checked)} /> Deactivate {people.name(from) || 'them'} when everything has moved (admin)
          </label>
          <div className="row">
            <button type="submit" disabled={previewing.isPending}>Preview</button>
            <button type="button" disabled={!preview || starting.isPending} onClick={() => run(starting)()}>Start the handover</button>
          </div>
        </form>
      </div>
      {preview && <PreviewView preview={preview} name={people.name} />}
      <section aria-labelledby="recent-handovers">
        <h2 id="recent-handovers">Recent handovers</h2>
        <QueryView query={recent} label="handovers" isEmpty={(d) => d.items.length === 0} empty="No handovers yet.">
          {(d) => (
            <div className="table-wrap">
              <table>
                <thead><tr><th scope="col">Whose work</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Started</th></tr></thead>
                <tbody>
                  {d.items.map((h) => (
                    <tr key={h.id}>
                      <td><Link to="/handovers/$id" params={{ id: h.id }}>{people.name(h.fromUserId)}</Link></td>
                      <td>{[h.toUserId, ...h.split.map((s) => s.toUserId)].map(people.name).join(', ')}</td>
                      <td><Status value={h.status} /></td>
                      <td><When at={h.startedAt} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
    </>
  );
}

function PreviewView({ preview, name }: { preview: HandoverPreview; name: (id: string) => string }) {
  return (
    <section className="card" aria-labelledby="preview">
      <h2 id="preview">What would move</h2>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Items per kind that would move, and that cannot</caption>
          <thead><tr><th scope="col">Kind</th><th scope="col" className="num">Moves</th><th scope="col" className="num">Cannot move</th></tr></thead>
          <tbody>
            {HANDOVER_ITEM_KINDS.filter((k) => preview.counts[k]).map((k) => (
              <tr key={k}><th scope="row">{kindLabel(k)}</th><td className="num">{preview.counts[k]!.move}</td><td className="num">{preview.counts[k]!.cannotMove}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{preview.total} items in all{preview.truncated ? `; the first ${preview.items.length} are listed below` : ''}.</p>
      {preview.cannotMove.length > 0 && <ItemsTable caption="What cannot move, and why" items={preview.cannotMove.map((i) => ({ ...i, reason: i.blocked ?? '' }))} name={name} />}
      <details>
        <summary>Who gets what</summary>
        <ItemsTable caption="Items and who gets them" items={preview.items} name={name} />
      </details>
    </section>
  );
}

function ItemsTable({ caption, items, name }: { caption: string; items: { kind: string; id: string; label: string; toUserId: string; reason?: string }[]; name: (id: string) => string }) {
  const reasons = items.some((i) => i.reason !== undefined);
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead><tr><th scope="col">Kind</th><th scope="col">Item</th><th scope="col">To</th>{reasons && <th scope="col">Why not</th>}</tr></thead>
        <tbody>
          {items.map((i) => (
            <tr key={`${i.kind}/${i.id}`}><td>{kindLabel(i.kind)}</td><td>{i.label}</td><td>{name(i.toUserId)}</td>{reasons && <td>{i.reason}</td>}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const FINISHED = ['completed', 'failed'];

/** A handover's record: from whom to whom, its progress while it runs, and what could not move and why. */
export function HandoverPage() {
  const { id } = useParams({ from: '/signed-in/handovers/$id' });
  const people = usePeople();
  const handover = useQuery({
    queryKey: ['handover', id],
    queryFn: () => api('GET /handovers/{id}', { path: { id } }),
    refetchInterval: (query) => (query.state.data && FINISHED.includes(query.state.data.status) ? false : 1000),
  });
  return (
    <>
      <h1>{handover.data ? `Handover of ${people.name(handover.data.fromUserId)}'s work` : 'Handover'}</h1>
      <QueryView query={handover} label="the handover">
        {(h) => {
          const done = h.progress.moved + h.progress.notMoved;
          return (
            <>
              <div className="card">
                <dl className="facts">
                  <dt>Status</dt><dd><Status value={h.status} /></dd>
                  <dt>From</dt><dd>{people.name(h.fromUserId)}</dd>
                  <dt>To</dt><dd>{people.name(h.toUserId)}{h.split.map((s) => `; ${s.regions?.join(', ') ?? ''}${s.accountIds ? ` ${s.accountIds.length} accounts` : ''} to ${people.name(s.toUserId)}`).join('')}</dd>
                  <dt>Started</dt><dd><When at={h.startedAt} /> by {people.name(h.startedBy)}</dd>
                  {h.finishedAt && <><dt>Finished</dt><dd><When at={h.finishedAt} /></dd></>}
                  {h.deactivate && <><dt>Leaver</dt><dd>{h.deactivated ? 'deactivated' : 'to be deactivated at the end'}</dd></>}
                </dl>
                <label htmlFor="handover-progress">Items done</label>
                <progress id="handover-progress" max={h.progress.total || 1} value={done} />
                <p role="status" aria-live="polite">{h.status === 'started' ? 'Planning the book…' : `${done} of ${h.progress.total} items done: ${h.progress.moved} moved, ${h.progress.notMoved} could not move.`}</p>
                {h.failure && <p className="error">{h.failure}</p>}
              </div>
              <div className="table-wrap">
                <table>
                  <caption>Per kind</caption>
                  <thead><tr><th scope="col">Kind</th><th scope="col" className="num">Items</th><th scope="col" className="num">Moved</th><th scope="col" className="num">Could not move</th></tr></thead>
                  <tbody>
                    {HANDOVER_ITEM_KINDS.filter((k) => h.progress.byKind[k]).map((k) => (
                      <tr key={k}><th scope="row">{kindLabel(k)}</th><td className="num">{h.progress.byKind[k]!.total}</td><td className="num">{h.progress.byKind[k]!.moved}</td><td className="num">{h.progress.byKind[k]!.notMoved}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {h.notMoved.length > 0
                ? <ItemsTable caption="What could not move, and why" items={h.notMoved} name={people.name} />
                : FINISHED.includes(h.status) && <p>Everything moved.</p>}
            </>
          );
        }}
      </QueryView>
    </>
  );
}
