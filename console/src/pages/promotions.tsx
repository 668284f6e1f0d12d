import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ClaimLineSchema, Claims as ClaimDefinition, CloseOutSchema, PROMOTION_TYPES, Promotions } from '../../../schemas/promotions/records';
import { api } from '../api/client';
import type { Claim, Promotion } from '../api/endpoints';
import { useApp, useMe } from '../app-context';
import { check, useFieldErrors, type FieldErrors } from '../forms';
import { amountInput, formatMoney, fromLocalInput, parseAmount, toLocalInput } from '../format';
import { usePeople } from '../people';
import { SelectField, TextArea, TextField } from '../ui/fields';
import { Money, Status, When } from '../ui/format';
import { emptyLine, MoneyLines, useLineAmounts, type LineDraft } from '../ui/lines';
import { ErrorView, FormError, QueryView } from '../ui/states';
import { ApprovalProgress } from './approvals';

const unprefix = (errors: FieldErrors, prefix: string): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.startsWith(`${prefix}.`) ? k.slice(prefix.length + 1) : k, v]));

/** Lines whose amount is not a number a person typed, as field errors (before the schema speaks). */
const badAmounts = (lines: { amount: { amountMinor: number } }[], prefix: string): FieldErrors =>
  Object.fromEntries(lines.flatMap((l, i) => (l.amount.amountMinor < 0 ? [[`${prefix}.${i}.amount`, 'must be an amount such as 1250.00']] : [])));

export function PromotionsPage() {
  const me = useMe();
  const [status, setStatus] = useState('');
  const list = useQuery({
    queryKey: ['promotions', status],
    queryFn: () => api('GET /promotions', { query: { limit: 100, ...(status ? { status } : {}) } }),
  });
  const people = usePeople();
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Promotions</h1>
        {me.roles.includes('sales') && <Link className="button" to="/promotions/new">Apply for a promotion</Link>}
      </div>
      <div className="card" style={{ maxWidth: '20rem' }}>
        <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value)}
          options={[{ value: '', label: 'Any status' }, 'draft', 'submitted', 'approved', 'rejected', 'active', 'ended', 'closed-out', 'settled', 'cancelled']} />
      </div>
      <QueryView query={list} label="promotions" isEmpty={(d) => d.items.length === 0} empty="No promotions here yet.">
        {(data) => <PromotionTable promotions={data.items} owner={people.name} />}
      </QueryView>
    </>
  );
}

export function PromotionTable({ promotions, owner }: { promotions: Promotion[]; owner: (id: string) => string }) {
  return (
    <div className="table-wrap">
      <table>
        <thead><tr><th scope="col">Promotion</th><th scope="col">Status</th><th scope="col">Runs</th><th scope="col">Owner</th><th scope="col" className="num">Budget</th><th scope="col" className="num">Reserved</th><th scope="col" className="num">Claimed</th></tr></thead>
        <tbody>
          {promotions.map((p) => (
            <tr key={p.id}>
              <td><Link to="/promotions/$id" params={{ id: p.id }}>{p.name}</Link></td>
              <td><Status value={p.status} />{p.closeOutOverdue && <> <span className="badge bad">close-out overdue</span></>}</td>
              <td><When at={p.startsAt} dateOnly /> – <When at={p.endsAt} dateOnly /></td>
              <td>{owner(p.ownerId)}</td>
              <td className="num"><Money minor={p.money.budgetMinor} currency={p.money.currency} /></td>
              <td className="num"><Money minor={p.money.reservedMinor} currency={p.money.currency} /></td>
              <td className="num"><Money minor={p.money.claimedMinor} currency={p.money.currency} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Apply: the rules the API checks on submit are shown (and checked) here first. */
export function PromotionNewPage() {
  return (
    <>
      <h1>Apply for a promotion</h1>
      <PromotionForm />
    </>
  );
}

/** Only a draft, or one sent back (rejected, changes requested, recalled), is its owner's to revise. */
const REVISABLE: Promotion['status'][] = ['draft', 'rejected'];

/** Revise a draft or a promotion sent back: the same form, filled in, saved at the version read; then submit it again. */
export function PromotionEditPage() {
  const { id } = useParams({ from: '/signed-in/promotions/$id/edit' });
  const me = useMe();
  const promotion = useQuery({ queryKey: ['promotion', id], queryFn: () => api('GET /promotions/{id}', { path: { id } }), staleTime: Infinity, refetchOnWindowFocus: false });
  return (
    <>
      <h1>Revise {promotion.data?.name ?? 'promotion'}</h1>
      <QueryView query={promotion} label="the promotion">
        {(p) => (p.ownerId === me.id && REVISABLE.includes(p.status) ? (
          <>
            <ReturnedWith promotion={p} />
            <PromotionForm promotion={p} />
          </>
        ) : (
          <p className="alert" role="status">This promotion is {p.status}: only its owner can revise it, while it is a draft or sent back. <Link to="/promotions/$id" params={{ id }}>Back to the promotion</Link></p>
        ))}
      </QueryView>
    </>
  );
}

/** The approvers' words when a promotion came back: rejected, changes requested or recalled; people by name. */
function ReturnedWith({ promotion }: { promotion: Promotion }) {
  const people = usePeople();
  if (promotion.status !== 'rejected' || !promotion.rejectionReasons?.length) return null;
  const reasons = promotion.rejectionReasons.map((r) => r.replace(/^(Changes requested by|Rejected by|Recalled by) ([\w-]+)/, (_, verb: string, id: string) => `${verb} ${people.name(id)}`));
  const heading = reasons.every((r) => r.startsWith('Changes requested')) ? 'Changes requested' : reasons.every((r) => r.startsWith('Recalled')) ? 'Recalled' : 'Rejected';
  return (
    <div className="alert bad" role="alert">
      <strong>{heading}:</strong> {reasons.join('; ')}
    </div>
  );
}

function PromotionForm({ promotion }: { promotion?: Promotion }) {
  const { locale } = useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const errors = useFieldErrors();
  const toLines = useLineAmounts();
  const funds = useQuery({ queryKey: ['funds'], queryFn: () => api('GET /funds', { query: { limit: 100 } }) });
  const products = useQuery({ queryKey: ['products'], queryFn: () => api('GET /products', { query: { limit: 100 } }), staleTime: 300_000 });
  const accounts = useQuery({ queryKey: ['accounts', 'all'], queryFn: () => api('GET /accounts', { query: { limit: 100 } }) });
  const day = 24 * 3600_000;
  const [form, setForm] = useState(() => (promotion ? {
    name: promotion.name, description: promotion.description, type: promotion.type, fundId: promotion.fundId,
    startsAt: toLocalInput(promotion.startsAt, locale.timeZone), endsAt: toLocalInput(promotion.endsAt, locale.timeZone),
  } : {
    name: '', description: '', type: 'display' as (typeof PROMOTION_TYPES)[number], fundId: '',
    startsAt: toLocalInput(new Date(Date.now() + 7 * day).toISOString(), locale.timeZone).slice(0, 11) + '09:00',
    endsAt: toLocalInput(new Date(Date.now() + 21 * day).toISOString(), locale.timeZone).slice(0, 11) + '18:00',
  }));
  const [productIds, setProductIds] = useState<string[]>(promotion?.productIds ?? []);
  const [accountIds, setAccountIds] = useState<string[]>(promotion?.accountIds ?? []);
  const [lines, setLines] = useState<LineDraft[]>(() => (promotion
    ? promotion.expenseLines.map((l) => ({ kind: l.kind, amount: amountInput(l.amount.amountMinor, l.amount.currency, locale.locale), extra: l.note ?? '' }))
    : [emptyLine()]));
  const fund = funds.data?.items.find((f) => f.id === (form.fundId || funds.data?.items[0]?.id));
  const currency = fund?.currency ?? 'EUR';
  const parsed = toLines(lines, currency);
  const total = parsed.reduce((sum, l) => sum + Math.max(0, l.amount.amountMinor), 0);
  const save = useMutation({
    mutationFn: (body: unknown) => (promotion
      ? api('PATCH /promotions/{id}', { path: { id: promotion.id }, body: { version: promotion.version, ...(body as object) } as never })
      : api('POST /promotions', { body: body as never })),
    onSuccess: (p) => {
      client.setQueryData(['promotion', p.id], p);
      return navigate({ to: '/promotions/$id', params: { id: p.id } });
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const startsAt = fromLocalInput(form.startsAt, locale.timeZone) ?? form.startsAt;
    const endsAt = fromLocalInput(form.endsAt, locale.timeZone) ?? form.endsAt;
    const body = {
      name: form.name, description: form.description, type: form.type, startsAt, endsAt, fundId: fund?.id ?? '', region: fund?.region ?? '',
      accountIds, ...(productIds.length || promotion ? { productIds } : {}),
      expenseLines: parsed.map((l) => ({ kind: l.kind, amount: l.amount, ...(l.extra ? { note: l.extra } : {}) })),
    };
    const rules: FieldErrors = { ...badAmounts(body.expenseLines, 'expenseLines') };
    if (Date.parse(startsAt) <= Date.now()) rules.startsAt = 'must be in the future';
    if (Date.parse(endsAt) <= Date.parse(startsAt)) rules.endsAt = 'must be after the start';
    if (fund && total > fund.availableMinor) rules.expenseLines = `ask for at most what the fund has available (${formatMoney(fund.availableMinor, currency, locale.locale)})`;
    const checked = promotion ? check(Promotions.update, { version: promotion.version, ...body }) : check(Promotions.create, body);
    const all = { ...('errors' in checked ? checked.errors : {}), ...rules };
    if (Object.keys(all).length) return errors.set(all);
    errors.clear();
    save.mutate(body);
  };
  const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  return (
    <>
      <form className="card" onSubmit={submit} noValidate>
        <FormError error={save.error} />
        <div className="grid">
          <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.of('name')} />
          <SelectField label="Type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as typeof form.type })}
            options={PROMOTION_TYPES.map((t) => ({ value: t, label: t.replace(/-/g, ' ') }))} error={errors.of('type')} />
          <TextField label="Starts" type="datetime-local" value={form.startsAt} onChange={(e) => setForm({ ...form, startsAt: e.target.value })}
            error={errors.of('startsAt')} hint={`In your time zone (${locale.timeZone}); must be in the future.`} />
          <TextField label="Ends" type="datetime-local" value={form.endsAt} onChange={(e) => setForm({ ...form, endsAt: e.target.value })}
            error={errors.of('endsAt')} hint="After the start." />
        </div>
        <TextArea label="Description" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} error={errors.of('description')} />
        {funds.isError ? <ErrorView error={funds.error} /> : (
          <SelectField label="Fund" value={fund?.id ?? ''} onChange={(e) => setForm({ ...form, fundId: e.target.value })} error={errors.of('fundId')}
            options={(funds.data?.items ?? []).map((f) => ({ value: f.id, label: `${f.name}: ${formatMoney(f.availableMinor, f.currency, locale.locale)} available` }))}
            hint={fund ? <>Available in this fund: <strong><Money minor={fund.availableMinor} currency={fund.currency} /></strong>. Approval reserves the budget from it.</> : 'Loading funds…'} />
        )}
        <fieldset>
          <legend>Products</legend>
          {(products.data?.items ?? []).filter((p) => p.status === 'active').map((p) => (
            <label key={p.id} style={{ fontWeight: 'normal' }}>
              <input type="checkbox" style={{ width: 'auto' }} checked={productIds.includes(p.id)} onChange={() => setProductIds(toggle(productIds, p.id))} /> {p.name} ({p.series})
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Outlets (target accounts)</legend>
          {errors.of('accountIds') && <p className="error">{errors.of('accountIds')}</p>}
          {(accounts.data?.items ?? []).map((a) => (
            <label key={a.id} style={{ fontWeight: 'normal' }}>
              <input type="checkbox" style={{ width: 'auto' }} checked={accountIds.includes(a.id)} onChange={() => setAccountIds(toggle(accountIds, a.id))} /> {a.name} ({a.city ?? a.region})
            </label>
          ))}
        </fieldset>
        <MoneyLines legend="Expense lines" lines={lines} onChange={setLines} currency={currency} extraLabel="Note" errors={errors.of} prefix="expenseLines" />
        <p>Total asked: <strong><Money minor={total} currency={currency} /></strong>
          {fund && total > fund.availableMinor && <span className="error"> (more than the fund has available)</span>}</p>
        <p className="muted">The area manager approves every promotion; the sales director above {formatMoney(50_000_00, currency, locale.locale)}; finance above {formatMoney(200_000_00, currency, locale.locale)}.</p>
        <div className="row">
          <button type="submit" disabled={save.isPending}>{promotion ? 'Save changes' : 'Save draft'}</button>
          {promotion && <Link to="/promotions/$id" params={{ id: promotion.id }}>Cancel</Link>}
        </div>
      </form>
    </>
  );
}

/** One promotion: its status and money, its approval's progress, and what its owner can do next. */
export function PromotionPage() {
  const { id } = useParams({ from: '/signed-in/promotions/$id' });
  const me = useMe();
  const people = usePeople();
  const client = useQueryClient();
  const promotion = useQuery({
    queryKey: ['promotion', id],
    queryFn: () => api('GET /promotions/{id}', { path: { id } }),
    // while the workflow decides, look again
    refetchInterval: (q) => (q.state.data?.status === 'submitted' ? 2000 : false),
  });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['promotion', id] }), client.invalidateQueries({ queryKey: ['claims', id] }),
    client.invalidateQueries({ queryKey: ['approval'] })]);
  const act = useMutation({
    mutationFn: (action: 'submit' | 'cancel') => api('POST /promotions/{id}/{action}', { path: { id, action }, body: {} }),
    onSuccess: refresh,
  });
  const p = promotion.data;
  const mine = p?.ownerId === me.id;
  return (
    <>
      <h1>{p?.name ?? 'Promotion'}</h1>
      <QueryView query={promotion} label="the promotion">
        {(p) => (
          <>
            <div className="row" style={{ marginBottom: '1rem' }}>
              <Status value={p.status} />
              {p.closeOutOverdue && <span className="badge bad">close-out overdue</span>}
              <span className="muted">{p.type.replace(/-/g, ' ')} · {p.region} · owner {people.name(p.ownerId)}</span>
            </div>
            <ReturnedWith promotion={p} />
            <ActionError error={act.error} />
            {mine && (
              <div className="row" style={{ marginBottom: '1rem' }}>
                {REVISABLE.includes(p.status) && (
                  <>
                    <Link className="button secondary" to="/promotions/$id/edit" params={{ id: p.id }}>Revise promotion</Link>
                    <button type="button" disabled={act.isPending} onClick={() => act.mutate('submit')}>{p.submission > 0 ? 'Resubmit for approval' : 'Submit for approval'}</button>
                  </>
                )}
                {['draft', 'submitted', 'approved', 'rejected'].includes(p.status) && (
                  <button type="button" className="danger" disabled={act.isPending}
                    onClick={() => { if (window.confirm(`Cancel ${p.name}? Any reserved money goes back to the fund.`)) act.mutate('cancel'); }}>Cancel promotion</button>
                )}
              </div>
            )}
            <div className="grid">
              <section className="card" aria-labelledby="plan">
                <h2 id="plan">Plan</h2>
                <dl className="facts">
                  <dt>Runs</dt><dd><When at={p.startsAt} /> to <When at={p.endsAt} /></dd>
                  <dt>Fund</dt><dd><Link to="/funds/$id" params={{ id: p.fundId }}>fund statement</Link></dd>
                  <dt>Outlets</dt><dd>{p.accountIds.length}</dd>
                </dl>
                <p>{p.description}</p>
                <h3>Expense lines</h3>
                <ul>{p.expenseLines.map((l, i) => <li key={i}>{l.kind}: <Money minor={l.amount.amountMinor} currency={l.amount.currency} />{l.note ? ` (${l.note})` : ''}</li>)}</ul>
              </section>
              <PromotionMoneyCard promotion={p} />
            </div>
            {p.submission > 0 && <ApprovalProgress requestId={`promotion-${p.id}-${p.submission}`} />}
            {p.closeOut && (
              <section className="card" aria-labelledby="closed"><h2 id="closed">Close-out</h2>
                <p>Proof of execution: {p.closeOut.evidenceRefs.join(', ')}</p>{p.closeOut.comments && <p>{p.closeOut.comments}</p>}</section>
            )}
            {mine && p.status === 'ended' && <CloseOutForm promotion={p} onDone={refresh} />}
            {['closed-out', 'settled'].includes(p.status) && <Claims promotion={p} mine={mine} onChange={refresh} />}
          </>
        )}
      </QueryView>
    </>
  );
}

function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const fields = error instanceof Error && 'fields' in error ? Object.entries(unprefix((error as { fields: FieldErrors }).fields, 'promotion')) : [];
  return (
    <div className="alert bad" role="alert">
      <p>{error instanceof Error ? error.message : String(error)}</p>
      {fields.length > 0 && <ul>{fields.map(([f, m]) => <li key={f}><strong>{f}</strong> {m}</li>)}</ul>}
    </div>
  );
}

export function PromotionMoneyCard({ promotion: { money } }: { promotion: Promotion }) {
  const row = (label: string, minor: number) => <><dt>{label}</dt><dd><Money minor={minor} currency={money.currency} /></dd></>;
  return (
    <section className="card" aria-labelledby="money">
      <h2 id="money">Money</h2>
      <dl className="facts">
        {row('Asked for', money.budgetMinor)}
        {row('Approved', money.approvedMinor)}
        {row('Reserved', money.reservedMinor)}
        {row('Claimed', money.claimedMinor)}
        {row('Claims pending', money.pendingClaimMinor)}
        {row('Still claimable', money.claimableMinor)}
        {row('Released to the fund', money.releasedMinor)}
      </dl>
    </section>
  );
}

function CloseOutForm({ promotion, onDone }: { promotion: Promotion; onDone: () => Promise<unknown> }) {
  const { locale } = useApp();
  const errors = useFieldErrors();
  const products = useQuery({ queryKey: ['products'], queryFn: () => api('GET /products', { query: { limit: 100 } }), staleTime: 300_000 });
  const [evidence, setEvidence] = useState('');
  const [comments, setComments] = useState('');
  const [actuals, setActuals] = useState<{ productId: string; units: string; revenue: string }[]>([]);
  const currency = promotion.money.currency;
  const close = useMutation({
    mutationFn: (body: unknown) => api('POST /promotions/{id}/{action}', { path: { id: promotion.id, action: 'close-out' }, body: body as never }),
    onSuccess: onDone,
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      actuals: actuals.map((a) => ({ productId: a.productId, units: Number(a.units), revenue: { amountMinor: parseAmount(a.revenue, currency, locale.locale) ?? -1, currency } })),
      evidenceRefs: evidence.split(/[\n,]/).map((s) => s.trim()).filter(Boolean),
      ...(comments ? { comments } : {}),
    };
    const data = errors.checked(CloseOutSchema, body);
    if (data) close.mutate(data);
  };
  return (
    <section className="card" aria-labelledby="closeout">
      <h2 id="closeout">Close out</h2>
      <p>The promotion has ended. Record what it achieved and the proof that it ran; then you can claim its costs.</p>
      <form onSubmit={submit} noValidate>
        <FormError error={close.error} />
        <fieldset>
          <legend>Actual results (optional)</legend>
          {actuals.map((a, i) => (
            <div className="line" key={i} role="group" aria-label={`Result ${i + 1}`}>
              <SelectField label={`Product (result ${i + 1})`} value={a.productId} onChange={(e) => setActuals(actuals.map((x, j) => (j === i ? { ...x, productId: e.target.value } : x)))}
                options={(products.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))} />
              <TextField label={`Units sold (result ${i + 1})`} inputMode="numeric" value={a.units} error={errors.of(`actuals.${i}.units`)}
                onChange={(e) => setActuals(actuals.map((x, j) => (j === i ? { ...x, units: e.target.value } : x)))} />
              <TextField label={`Revenue in ${currency} (result ${i + 1})`} inputMode="decimal" value={a.revenue} error={errors.of(`actuals.${i}.revenue.amountMinor`)}
                hint={a.revenue ? formatMoney(parseAmount(a.revenue, currency, locale.locale) ?? 0, currency, locale.locale) : undefined}
                onChange={(e) => setActuals(actuals.map((x, j) => (j === i ? { ...x, revenue: e.target.value } : x)))} />
              <button type="button" className="secondary" onClick={() => setActuals(actuals.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => setActuals([...actuals, { productId: products.data?.items[0]?.id ?? '', units: '', revenue: '' }])}>Add a result</button>
        </fieldset>
        <TextArea label="Proof of execution" hint="Photo or document references, one per line or separated by commas." value={evidence} onChange={(e) => setEvidence(e.target.value)} error={errors.of('evidenceRefs')} />
        <TextArea label="Comments" value={comments} onChange={(e) => setComments(e.target.value)} error={errors.of('comments')} />
        <button type="submit" disabled={close.isPending}>Close out</button>
      </form>
    </section>
  );
}

function Claims({ promotion, mine, onChange }: { promotion: Promotion; mine: boolean; onChange: () => Promise<unknown> }) {
  const claims = useQuery({ queryKey: ['claims', promotion.id], queryFn: () => api('GET /claims', { query: { promotionId: promotion.id, limit: 100 } }) });
  const [revising, setRevising] = useState<Claim>();
  return (
    <section className="card" aria-labelledby="claims">
      <h2 id="claims">Claims</h2>
      <QueryView query={claims} label="claims" isEmpty={(d) => d.items.length === 0} empty="No claims filed yet.">
        {(data) => (
          <ul className="plain stack">
            {data.items.map((c) => (
              <li key={c.id}>
                <Money minor={c.total.amountMinor} currency={c.total.currency} /> <Status value={c.status} /> filed <When at={c.createdAt} />
                <ul>{c.lines.map((l, i) => <li key={i}>{l.kind}: <Money minor={l.amount.amountMinor} currency={l.amount.currency} />, evidence {l.evidenceRef}</li>)}</ul>
                {c.rejectionReasons && c.status === 'rejected' && <p className="error">Rejected: {c.rejectionReasons.join('; ')}</p>}
                {mine && (c.status === 'rejected' || c.status === 'draft') && (
                  <button type="button" className="secondary" onClick={() => setRevising(c)}>Revise this claim</button>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      {mine && promotion.status === 'closed-out' && (
        <ClaimForm key={revising?.id ?? 'new'} promotion={promotion} claim={revising} onDone={async () => { setRevising(undefined); await onChange(); await claims.refetch(); }} />
      )}
    </section>
  );
}

/** File a claim (or revise a rejected one), then submit it: within what is still claimable. */
function ClaimForm({ promotion, claim, onDone }: { promotion: Promotion; claim?: Claim; onDone: () => Promise<unknown> }) {
  const { locale } = useApp();
  const errors = useFieldErrors();
  const toLines = useLineAmounts();
  const currency = promotion.money.currency;
  const [lines, setLines] = useState<LineDraft[]>(claim
    ? claim.lines.map((l) => ({ kind: l.kind, amount: amountInput(l.amount.amountMinor, currency, locale.locale), extra: l.evidenceRef }))
    : [emptyLine()]);
  const [note, setNote] = useState(claim?.note ?? '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // a rejected claim's own amount is not pending: it may ask up to the claimable amount again
  const claimable = promotion.money.claimableMinor;
  const parsed = toLines(lines, currency).map((l) => ({ kind: l.kind, amount: l.amount, evidenceRef: l.extra }));
  const total = parsed.reduce((s, l) => s + Math.max(0, l.amount.amountMinor), 0);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const rules: FieldErrors = { ...badAmounts(parsed, 'lines') };
    if (total > claimable) rules.lines = `may ask for at most ${formatMoney(claimable, currency, locale.locale)}, what is still claimable`;
    const lineChecks = parsed.map((l) => check(ClaimLineSchema, l)).flatMap((c, i) => ('errors' in c ? Object.entries(c.errors).map(([f, m]) => [`lines.${i}.${f}`, m]) : []));
    const checked = claim
      ? check(ClaimDefinition.update, { version: claim.version, lines: parsed, ...(note ? { note } : {}) })
      : check(ClaimDefinition.create, { promotionId: promotion.id, lines: parsed, ...(note ? { note } : {}) });
    const all = { ...Object.fromEntries(lineChecks), ...('errors' in checked ? checked.errors : {}), ...rules };
    if (Object.keys(all).length) return errors.set(all);
    errors.clear();
    setBusy(true);
    setError(undefined);
    try {
      const saved = claim
        ? await api('PATCH /claims/{id}', { path: { id: claim.id }, body: { version: claim.version, lines: parsed, ...(note ? { note } : {}) } })
        : await api('POST /claims', { body: { promotionId: promotion.id, lines: parsed, ...(note ? { note } : {}) } });
      await api('POST /claims/{id}/submit', { path: { id: saved.id }, body: {} });
      await onDone();
    } catch (e) {
      setError(e);
      errors.fromError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <h3>{claim ? 'Revise the claim' : 'File a claim'}</h3>
      <p>Still claimable: <strong><Money minor={claimable} currency={currency} /></strong>. Each receipt or photo reference can be claimed once.</p>
      <FormError error={error} />
      <MoneyLines legend="Claim lines" lines={lines} onChange={setLines} currency={currency} extraLabel="Evidence reference" errors={errors.of} prefix="lines" />
      <p>Total claimed: <strong><Money minor={total} currency={currency} /></strong>{total > claimable && <span className="error"> (more than is claimable)</span>}</p>
      <TextArea label="Note for finance" value={note} onChange={(e) => setNote(e.target.value)} error={errors.of('note')} />
      <button type="submit" disabled={busy}>{claim ? 'Save and resubmit claim' : 'Submit claim'}</button>
    </form>
  );
}
