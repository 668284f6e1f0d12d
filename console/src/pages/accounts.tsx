import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AccountStatusSchema, Accounts, ChannelTypeSchema, Activities, type ActivityTypeSchema } from '../../../schemas/records';
import { ApiError, api } from '../api/client';
import type { Account } from '../api/endpoints';
import { useFieldErrors } from '../forms';
import { usePeople } from '../people';
import { SelectField, TextArea, TextField } from '../ui/fields';
import { CalendarDate, Money, Status, When } from '../ui/format';
import { ErrorView, FormError, QueryView } from '../ui/states';
import type { AccountSearch } from '../router';
import { AccountTickets } from './tickets';

const REGIONS = ['North', 'South', 'East', 'West'];
const PAGE = 20;

/**
 * Accounts: the search and the filters live in the address (a reload or a shared link shows the same
 * list) and go to the API together, which pages through what matches.
 */
export function AccountsPage() {
  const search = useSearch({ from: '/signed-in/accounts' });
  const navigate = useNavigate({ from: '/accounts' });
  const people = usePeople();
  const [q, setQ] = useState(search.q ?? '');
  const filters = { q: search.q, region: search.region, status: search.status, ownerId: search.owner };
  const list = useInfiniteQuery({
    queryKey: ['accounts', filters],
    queryFn: ({ pageParam }) => api('GET /accounts', { query: { ...filters, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor,
  });
  const shown = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (patch: Partial<AccountSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }) });

  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Accounts</h1>
        <Link className="button" to="/accounts/new">New account</Link>
      </div>
      <form role="search" aria-label="Accounts" className="card" onSubmit={(e) => { e.preventDefault(); set({ q: q || undefined }); }}>
        <div className="grid">
          <TextField label="Search name, code or city" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <SelectField label="Region" value={search.region ?? ''} onChange={(e) => set({ region: e.target.value || undefined })}
            options={[{ value: '', label: 'Any region' }, ...REGIONS]} />
          <SelectField label="Status" value={search.status ?? ''} onChange={(e) => set({ status: e.target.value || undefined })}
            options={[{ value: '', label: 'Any status' }, ...AccountStatusSchema.options]} />
          <SelectField label="Owner" value={search.owner ?? ''} onChange={(e) => set({ owner: e.target.value || undefined })}
            options={[{ value: '', label: 'Anyone' }, ...people.users.filter((u) => u.roles.includes('sales')).map((u) => ({ value: u.id, label: u.name }))]} />
        </div>
        <button type="submit">Search</button>
      </form>
      {list.isPending ? <p role="status">Loading accounts…</p> : list.isError ? <ErrorView error={list.error} retry={() => void list.refetch()} /> : shown.length === 0 ? (
        <p className="muted">{list.hasNextPage ? 'No accounts match so far: show more to look further.' : 'No accounts match.'}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Accounts</caption>
            <thead><tr><th scope="col">Account</th><th scope="col">Code</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Owner</th></tr></thead>
            <tbody>
              {shown.map((a) => (
                <tr key={a.id}>
                  <td><Link to="/accounts/$id" params={{ id: a.id }}>{a.name}</Link>{a.tier === 'key' && <> <span className="badge">key account</span></>}</td>
                  <td>{a.code}</td><td>{a.region}{a.city ? `, ${a.city}` : ''}</td><td><Status value={a.status} /></td><td>{people.name(a.ownerId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="pager"><button type="button" className="secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>Show more accounts</button></div>
      )}
    </>
  );
}

/** The account's 360: details, contacts, open deals and the timeline, with "log a call, visit or note". */
export function AccountPage() {
  const { id } = useParams({ from: '/signed-in/accounts/$id' });
  const people = usePeople();
  const view = useQuery({ queryKey: ['account-360', id], queryFn: () => api('GET /accounts/{id}/360', { path: { id } }) });
  return (
    <>
      <h1>{view.data?.account.name ?? (view.error instanceof ApiError && view.error.status === 403 ? 'Not yours' : 'Account')}</h1>
      <QueryView query={view} label="the account">
        {({ account, contacts, openOpportunities, latestActivities, truncated }) => (
          <>
            <div className="row" style={{ marginBottom: '1rem' }}>
              <Status value={account.status} />
              <Link className="button secondary" to="/accounts/$id/edit" params={{ id }}>Edit account</Link>
            </div>
            <div className="grid">
              <section className="card" aria-labelledby="details">
                <h2 id="details">Details</h2>
                <dl className="facts">
                  <dt>Code</dt><dd>{account.code}</dd>
                  <dt>Channel</dt><dd>{account.channelType.replace(/-/g, ' ')} ({account.tier === 'key' ? 'key account' : 'standard'})</dd>
                  <dt>Region</dt><dd>{account.region}{account.city ? `, ${account.city}` : ''}</dd>
                  {account.phone && <><dt>Phone</dt><dd><a href={`tel:${account.phone}`}>{account.phone}</a></dd></>}
                  {account.email && <><dt>Email</dt><dd><a href={`mailto:${account.email}`}>{account.email}</a></dd></>}
                  {account.creditLimit && <><dt>Credit limit</dt><dd><Money minor={account.creditLimit.amountMinor} currency={account.creditLimit.currency} /></dd></>}
                  <dt>Owner</dt><dd>{people.name(account.ownerId)}</dd>
                </dl>
              </section>
              <section className="card" aria-labelledby="contacts">
                <h2 id="contacts">Contacts</h2>
                {contacts.length === 0 ? <p className="muted">No contacts yet.</p> : (
                  <ul className="plain stack">
                    {contacts.map((c) => (
                      <li key={c.id}><strong>{c.firstName} {c.lastName}</strong>{c.title ? `, ${c.title}` : ''}<br />
                        {c.email && <a href={`mailto:${c.email}`}>{c.email}</a>} {c.mobilePhone ?? c.officePhone ?? ''}</li>
                    ))}
                  </ul>
                )}
              </section>
              <section className="card" aria-labelledby="deals">
                <h2 id="deals">Open opportunities</h2>
                {openOpportunities.length === 0 ? <p className="muted">No open opportunities.</p> : (
                  <ul className="plain stack">
                    {openOpportunities.map((o) => (
                      <li key={o.id}><strong>{o.name}</strong>: <Money minor={o.amount.amountMinor} currency={o.amount.currency} />, {o.stage}, closes <CalendarDate date={o.expectedCloseDate} /></li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
            <AccountTickets accountId={id} />
            <LogActivity accountId={id} />
            <section aria-labelledby="timeline" className="card">
              <h2 id="timeline">Timeline</h2>
              {latestActivities.length === 0 ? <p className="muted">Nothing has happened with this account yet.</p> : (
                <ol className="timeline" aria-label="Activities, newest first">
                  {[...latestActivities].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).map((a) => (
                    <li key={a.id}>
                      <strong>{a.type.replace(/-/g, ' ')}</strong>: {a.subject}
                      {a.amount && <> (<Money minor={a.amount.amountMinor} currency={a.amount.currency} />)</>}
                      <div className="muted"><When at={a.occurredAt} /> · {people.name(a.ownerId)}</div>
                      {a.body && <p>{a.body}</p>}
                    </li>
                  ))}
                </ol>
              )}
              {truncated && <p className="muted">Older activities are not shown.</p>}
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

const LOGGABLE = ['call', 'visit', 'note'] as const satisfies readonly (typeof ActivityTypeSchema.options)[number][];

function LogActivity({ accountId }: { accountId: string }) {
  const client = useQueryClient();
  const errors = useFieldErrors();
  const [type, setType] = useState<(typeof LOGGABLE)[number]>('call');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [done, setDone] = useState('');
  const log = useMutation({
    mutationFn: (input: unknown) => api('POST /activities', { body: input as never }),
    onSuccess: async () => {
      setDone(`Logged: ${type} "${subject}"`);
      setSubject('');
      setBody('');
      await client.invalidateQueries({ queryKey: ['account-360', accountId] });
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    const data = errors.checked(Activities.create, { type, subject, ...(body ? { body } : {}), occurredAt: new Date().toISOString(), accountId });
    if (data) log.mutate(data);
  };
  return (
    <section className="card" aria-labelledby="log">
      <h2 id="log">Log a call, visit or note</h2>
      <form onSubmit={submit}>
        <FormError error={log.error} />
        <div className="grid">
          <SelectField label="What happened" value={type} onChange={(e) => setType(e.target.value as typeof type)} options={LOGGABLE} />
          <TextField label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={errors.of('subject')} />
        </div>
        <TextArea label="Notes" value={body} onChange={(e) => setBody(e.target.value)} error={errors.of('body')} />
        <button type="submit" disabled={log.isPending}>Log {type}</button>
        <p role="status" aria-live="polite">{done}</p>
      </form>
    </section>
  );
}

type AccountForm = Record<'code' | 'name' | 'channelType' | 'tier' | 'status' | 'region' | 'city' | 'phone' | 'email' | 'website' | 'notes', string>;
const EDITABLE: (keyof AccountForm)[] = ['name', 'channelType', 'tier', 'status', 'region', 'city', 'phone', 'email', 'website', 'notes'];
const formOf = (a?: Account): AccountForm => ({
  code: a?.code ?? '', name: a?.name ?? '', channelType: a?.channelType ?? 'retail-outlet', tier: a?.tier ?? 'standard', status: a?.status ?? 'prospect',
  region: a?.region ?? 'North', city: a?.city ?? '', phone: a?.phone ?? '', email: a?.email ?? '', website: a?.website ?? '', notes: a?.notes ?? '',
});
/** The form's values as the API takes them: empty optional fields left out. */
const bodyOf = (form: AccountForm, fields: (keyof AccountForm)[]) => Object.fromEntries(fields.filter((f) => form[f] !== '').map((f) => [f, form[f].trim()]));

function AccountFields({ form, set, errors, withCode, theirs }: {
  form: AccountForm; set: (f: keyof AccountForm, v: string) => void; errors: (f: string) => string | undefined; withCode?: boolean;
  /** after a conflict: the other person's values where they differ from yours */
  theirs?: Partial<AccountForm>;
}) {
  const hint = (f: keyof AccountForm) => (theirs?.[f] !== undefined ? `Saved meanwhile by someone else: "${theirs[f] || '(empty)'}"` : undefined);
  const text = (f: keyof AccountForm, label: string, type = 'text') => (
    <TextField label={label} type={type} value={form[f]} onChange={(e) => set(f, e.target.value)} error={errors(f)} hint={hint(f)} />
  );
  return (
    <>
      <div className="grid">
        {withCode && text('code', 'Code')}
        {text('name', 'Name')}
        <SelectField label="Channel" value={form.channelType} onChange={(e) => set('channelType', e.target.value)} options={ChannelTypeSchema.options} error={errors('channelType')} hint={hint('channelType')} />
        <SelectField label="Tier" value={form.tier} onChange={(e) => set('tier', e.target.value)} options={[{ value: 'key', label: 'key account' }, { value: 'standard', label: 'standard' }]} error={errors('tier')} hint={hint('tier')} />
        <SelectField label="Status" value={form.status} onChange={(e) => set('status', e.target.value)} options={AccountStatusSchema.options} error={errors('status')} hint={hint('status')} />
        <SelectField label="Region" value={form.region} onChange={(e) => set('region', e.target.value)} options={REGIONS} error={errors('region')} hint={hint('region')} />
        {text('city', 'City')}
        {text('phone', 'Phone', 'tel')}
        {text('email', 'Email', 'email')}
        {text('website', 'Website', 'url')}
      </div>
      <TextArea label="Notes" value={form.notes} onChange={(e) => set('notes', e.target.value)} error={errors('notes')} hint={hint('notes')} />
    </>
  );
}

export function AccountNewPage() {
  const navigate = useNavigate();
  const errors = useFieldErrors();
  const [form, setForm] = useState(formOf());
  const create = useMutation({
    mutationFn: (body: unknown) => api('POST /accounts', { body: body as never }),
    onSuccess: (account) => navigate({ to: '/accounts/$id', params: { id: account.id } }),
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const data = errors.checked(Accounts.create, bodyOf(form, ['code', ...EDITABLE]));
    if (data) create.mutate(data);
  };
  return (
    <>
      <h1>New account</h1>
      <form className="card" onSubmit={submit} noValidate>
        <FormError error={create.error} />
        <AccountFields form={form} set={(f, v) => setForm({ ...form, [f]: v })} errors={errors.of} withCode />
        <button type="submit" disabled={create.isPending}>Create account</button>
      </form>
    </>
  );
}

/**
 * Edit with optimistic concurrency: the version read goes with the change; a 409 says someone changed the
 * account meanwhile and offers to reload their version while keeping what you typed.
 */
export function AccountEditPage() {
  const { id } = useParams({ from: '/signed-in/accounts/$id/edit' });
  const client = useQueryClient();
  const navigate = useNavigate();
  const errors = useFieldErrors();
  const account = useQuery({ queryKey: ['account', id], queryFn: () => api('GET /accounts/{id}', { path: { id } }), staleTime: Infinity, refetchOnWindowFocus: false });
  const [form, setForm] = useState<AccountForm>();
  const [base, setBase] = useState<Account>();
  const [theirs, setTheirs] = useState<Partial<AccountForm>>();
  const loaded = base ?? account.data;
  const values = form ?? formOf(loaded);
  const save = useMutation({
    mutationFn: (body: unknown) => api('PATCH /accounts/{id}', { path: { id }, body: body as never }),
    onSuccess: async (saved) => {
      client.setQueryData(['account', id], saved);
      await client.invalidateQueries({ queryKey: ['account-360', id] });
      await navigate({ to: '/accounts/$id', params: { id } });
    },
    onError: errors.fromError,
  });
  const conflict = save.error instanceof ApiError && save.error.status === 409;
  const reloadKeepingMine = async () => {
    const fresh = await api('GET /accounts/{id}', { path: { id } });
    const now = formOf(fresh);
    const before = formOf(loaded);
    setTheirs(Object.fromEntries(EDITABLE.filter((f) => now[f] !== before[f] && now[f] !== values[f]).map((f) => [f, now[f]])));
    // fields you did not touch take their new value; the ones you changed keep yours
    setForm({ ...now, ...Object.fromEntries(EDITABLE.filter((f) => values[f] !== before[f]).map((f) => [f, values[f]])) });
    setBase(fresh);
    save.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!loaded) return;
    const before = formOf(loaded);
    const changed = EDITABLE.filter((f) => values[f] !== before[f]);
    const data = errors.checked(Accounts.update, { version: loaded.version, ...bodyOf(values, changed) });
    if (data) save.mutate(data);
  };
  return (
    <>
      <h1>Edit {loaded?.name ?? 'account'}</h1>
      <QueryView query={account} label="the account">
        {() => (
          <form className="card" onSubmit={submit} noValidate>
            {conflict ? (
              <div className="alert warn" role="alert">
                <h2>Someone changed this account while you were editing</h2>
                <p>Your changes are not saved. Reload their version: what you typed stays in the form, and each field they changed shows their value.</p>
                <button type="button" onClick={() => void reloadKeepingMine()}>Reload, keeping my changes</button>
              </div>
            ) : <FormError error={save.error} />}
            {theirs && Object.keys(theirs).length > 0 && !conflict && (
              <p className="alert" role="status">Reloaded version {loaded?.version}. Check the fields marked "saved meanwhile", then save.</p>
            )}
            <AccountFields form={values} set={(f, v) => setForm({ ...values, [f]: v })} errors={errors.of} theirs={theirs} />
            <div className="row">
              <button type="submit" disabled={save.isPending || conflict}>Save changes</button>
              <Link to="/accounts/$id" params={{ id }}>Cancel</Link>
            </div>
          </form>
        )}
      </QueryView>
    </>
  );
}
