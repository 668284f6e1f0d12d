import { Link, useParams } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, Tickets, UNFINISHED_TICKET_STATUSES, type TicketAction } from '../../../schemas/tickets/records';
import { api } from '../api/client';
import type { Ticket } from '../api/endpoints';
import { useMe } from '../app-context';
import { useFieldErrors } from '../forms';
import { usePeople } from '../people';
import { SelectField, TextArea, TextField } from '../ui/fields';
import { Due, Status, When } from '../ui/format';
import { FormError, QueryView } from '../ui/states';

export const unfinished = (t: Ticket) => (UNFINISHED_TICKET_STATUSES as readonly string[]).includes(t.status);

/** When the ticket's SLA next falls due, or why nothing is running. */
function NextDue({ ticket }: { ticket: Ticket }) {
  if (ticket.dueAt) return <Due at={ticket.dueAt} />;
  if (ticket.status === 'waiting-on-customer') return <span className="muted">clock stopped: waiting on the customer</span>;
  return <span className="muted">no target running</span>;
}

export function TicketTable({ tickets, caption }: { tickets: Ticket[]; caption: string }) {
  const people = usePeople();
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead><tr><th scope="col">Ticket</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">SLA</th></tr></thead>
        <tbody>
          {tickets.map((t) => (
            <tr key={t.id}>
              <td><Link to="/tickets/$id" params={{ id: t.id }}>{t.subject}</Link></td>
              <td>{t.priority}</td>
              <td><Status value={t.status} /></td>
              <td>{people.name(t.ownerId)}</td>
              <td><NextDue ticket={t} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The team's queue: unfinished tickets, breaching soonest first (the API's order), then those waiting on the customer. */
export function TicketsPage() {
  const me = useMe();
  const team = me.departmentId ?? '';
  const queue = useQuery({
    queryKey: ['tickets', 'queue', team],
    queryFn: () => api('GET /tickets', { query: { departmentId: team, limit: 100 } }),
    enabled: Boolean(team),
  });
  return (
    <>
      <h1>Ticket queue</h1>
      <p className="muted">Your team's open tickets, the one breaching soonest first.</p>
      <QueryView query={queue} label="the ticket queue" isEmpty={(d) => d.items.filter(unfinished).length === 0} empty="No open tickets: the queue is empty.">
        {(d) => <TicketTable tickets={d.items.filter(unfinished)} caption="Open tickets of my team, breaching soonest first" />}
      </QueryView>
      <OpenTicket />
    </>
  );
}

function OpenTicket() {
  const client = useQueryClient();
  const errors = useFieldErrors();
  const accounts = useQuery({ queryKey: ['accounts', 'for-tickets'], queryFn: () => api('GET /accounts', { query: { limit: 100 } }) });
  const [accountId, setAccountId] = useState('');
  const [subject, setSubject] = useState('');
  const [category, setCategory] = useState<string>('request');
  const [priority, setPriority] = useState<string>('normal');
  const [description, setDescription] = useState('');
  const [done, setDone] = useState('');
  const create = useMutation({
    mutationFn: (body: unknown) => api('POST /tickets', { body: body as never }),
    onSuccess: async (ticket) => {
      setDone(`Opened: “${ticket.subject}”`);
      setSubject('');
      setDescription('');
      await client.invalidateQueries({ queryKey: ['tickets'] });
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    const data = errors.checked(Tickets.create, { accountId, subject, category, priority, ...(description ? { description } : {}) });
    if (data) create.mutate(data);
  };
  return (
    <section className="card" aria-labelledby="open-ticket">
      <h2 id="open-ticket">Open a ticket</h2>
      <form onSubmit={submit} noValidate>
        <FormError error={create.error} />
        <div className="grid">
          <SelectField label="Account" value={accountId} onChange={(e) => setAccountId(e.target.value)} error={errors.of('accountId')}
            options={[{ value: '', label: 'Choose an account' }, ...(accounts.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))]} />
          <TextField label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={errors.of('subject')} />
          <SelectField label="Category" value={category} onChange={(e) => setCategory(e.target.value)} error={errors.of('category')} options={TICKET_CATEGORIES} />
          <SelectField label="Priority" value={priority} onChange={(e) => setPriority(e.target.value)} error={errors.of('priority')} options={TICKET_PRIORITIES} />
        </div>
        <TextArea label="What the customer needs" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.of('description')} />
        <button type="submit" disabled={create.isPending}>Open ticket</button>
        <p role="status" aria-live="polite">{done}</p>
      </form>
    </section>
  );
}

const ACTION_LABEL: Partial<Record<TicketAction, string>> = {
  respond: 'Send response',
  'wait-on-customer': 'Wait on customer',
  'customer-replied': 'Customer replied',
  resolve: 'Resolve',
  close: 'Close',
  reopen: 'Reopen',
};
/** What an agent may do to a ticket in each status. */
const ACTIONS_BY_STATUS: Record<string, TicketAction[]> = {
  open: ['respond', 'wait-on-customer', 'resolve', 'close'],
  'waiting-on-customer': ['respond', 'customer-replied', 'resolve', 'close'],
  resolved: ['close', 'reopen'],
  closed: ['reopen'],
};
const TARGET_WORDS: Record<string, string> = { 'first-response': 'First response', resolution: 'Resolution' };

/** A ticket: the customer's problem, its SLA (due times, reminders, breaches, escalations) and its history; work it. */
export function TicketPage() {
  const { id } = useParams({ from: '/signed-in/tickets/$id' });
  const people = usePeople();
  const view = useQuery({ queryKey: ['ticket', id], queryFn: () => api('GET /tickets/{id}', { path: { id } }) });
  return (
    <>
      <h1>{view.data?.subject ?? 'Ticket'}</h1>
      <QueryView query={view} label="the ticket">
        {(t) => (
          <>
            <div className="grid">
              <section className="card" aria-labelledby="ticket-facts">
                <h2 id="ticket-facts">Ticket</h2>
                <dl className="facts">
                  <dt>Status</dt><dd><Status value={t.status} /></dd>
                  <dt>Account</dt><dd><AccountLink id={t.accountId} /></dd>
                  <dt>Priority</dt><dd>{t.priority}</dd>
                  <dt>Category</dt><dd>{t.category}</dd>
                  <dt>Assignee</dt><dd>{people.name(t.ownerId)}</dd>
                  <dt>Opened</dt><dd><When at={t.createdAt} /></dd>
                  {t.rating && <><dt>Customer rating</dt><dd>{t.rating.score} of 5</dd></>}
                </dl>
                {t.description && <p>{t.description}</p>}
              </section>
              <section className="card" aria-labelledby="ticket-sla">
                <h2 id="ticket-sla">Service level</h2>
                <dl className="facts">
                  <dt>First response</dt><dd>{t.firstRespondedAt ? <>answered <When at={t.firstRespondedAt} /></> : t.firstResponseDueAt ? <Due at={t.firstResponseDueAt} /> : <span className="muted">clock stopped</span>}</dd>
                  <dt>Resolution</dt><dd>{t.resolvedAt ? <>resolved <When at={t.resolvedAt} /></> : t.resolutionDueAt ? <Due at={t.resolutionDueAt} /> : <span className="muted">clock stopped</span>}</dd>
                </dl>
                {t.milestones.length > 0 && (
                  <ul className="plain stack" aria-label="Reminders, breaches and escalations">
                    {t.milestones.filter((m) => m.cycle === t.cycle).map((m) => (
                      <li key={`${m.target}-${m.kind}-${m.level ?? 0}`}>
                        {TARGET_WORDS[m.target]}: <Status value={m.kind} />{m.level && m.level > 1 ? ` (level ${m.level})` : ''}{m.to && <> · {people.name(m.to)}</>} · <When at={m.at} />
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
            <WorkTicket ticket={t} />
            <section className="card" aria-labelledby="ticket-history">
              <h2 id="ticket-history">History</h2>
              {t.notes.length === 0 ? <p className="muted">Nothing done yet.</p> : (
                <ol className="timeline" aria-label="What was done, oldest first">
                  {t.notes.map((n, i) => (
                    <li key={`${n.at}-${i}`}><strong>{n.kind.replace(/-/g, ' ')}</strong> · {people.name(n.by)} · <When at={n.at} />{n.text && <p>{n.text}</p>}</li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

/** The account by its name, linking to its page. */
function AccountLink({ id }: { id: string }) {
  const account = useQuery({ queryKey: ['account', id], queryFn: () => api('GET /accounts/{id}', { path: { id } }), staleTime: 60_000 });
  return <Link to="/accounts/$id" params={{ id }}>{account.data?.name ?? 'Open the account'}</Link>;
}

function WorkTicket({ ticket }: { ticket: Ticket }) {
  const client = useQueryClient();
  const errors = useFieldErrors();
  const [text, setText] = useState('');
  const [done, setDone] = useState('');
  const act = useMutation({
    mutationFn: ({ action }: { action: TicketAction }) =>
      api('POST /tickets/{id}/{action}', { path: { id: ticket.id, action }, body: { version: ticket.version, ...(text.trim() ? { text } : {}) } }),
    onSuccess: async (next, { action }) => {
      setDone(`Done: ${ACTION_LABEL[action]?.toLowerCase()}. The ticket is ${next.status.replace(/-/g, ' ')}.`);
      setText('');
      client.setQueryData(['ticket', ticket.id], next);
      await client.invalidateQueries({ queryKey: ['tickets'] });
    },
    onError: errors.fromError,
  });
  const run = (action: TicketAction) => (event?: FormEvent) => {
    event?.preventDefault();
    setDone('');
    act.mutate({ action });
  };
  const actions = ACTIONS_BY_STATUS[ticket.status] ?? [];
  return (
    <section className="card" aria-labelledby="work-ticket">
      <h2 id="work-ticket">Work the ticket</h2>
      <form onSubmit={run(actions.includes('respond') ? 'respond' : actions[0]!)} noValidate>
        <FormError error={act.error} />
        <TextArea label="Message or note" hint="What you tell the customer (required to send a response), or why." value={text} onChange={(e) => setText(e.target.value)} error={errors.of('text')} />
        <div className="row">
          {actions.map((action, i) => (
            <button key={action} type={i === 0 ? 'submit' : 'button'} className={i === 0 ? undefined : 'secondary'} disabled={act.isPending}
              onClick={i === 0 ? undefined : () => run(action)()}>{ACTION_LABEL[action]}</button>
          ))}
        </div>
        <p role="status" aria-live="polite">{done}</p>
      </form>
    </section>
  );
}

/** An account's tickets, for its page: what the caller may read of them. */
export function AccountTickets({ accountId }: { accountId: string }) {
  const tickets = useQuery({ queryKey: ['tickets', 'account', accountId], queryFn: () => api('GET /tickets', { query: { accountId, limit: 50 } }) });
  return (
    <section className="card" aria-labelledby="account-tickets">
      <h2 id="account-tickets">Service tickets</h2>
      <QueryView query={tickets} label="the account's tickets" isEmpty={(d) => d.items.length === 0} empty="No tickets you may see.">
        {(d) => <TicketTable tickets={d.items} caption="The account's service tickets" />}
      </QueryView>
    </section>
  );
}
