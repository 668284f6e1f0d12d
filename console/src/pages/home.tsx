import { Link } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { CLOSED_STAGES } from '../../../schemas/records/opportunity';
import { api } from '../api/client';
import { useMe } from '../app-context';
import { CalendarDate, Money, Status } from '../ui/format';
import { QueryView } from '../ui/states';
import { InboxTable } from './approvals';
import { TicketTable, unfinished } from './tickets';

/** Home: what waits for me, what needs my action, my open deals and leads. */
export function HomePage() {
  const me = useMe();
  const sales = me.roles.includes('sales');
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: () => api('GET /approval-inbox', { query: { limit: 100 } }) });
  const promotions = useQuery({ queryKey: ['promotions', 'mine', me.id], queryFn: () => api('GET /promotions', { query: { ownerId: me.id, limit: 100 } }), enabled: sales });
  const claims = useQuery({ queryKey: ['claims', 'mine', me.id], queryFn: () => api('GET /claims', { query: { ownerId: me.id, limit: 100 } }), enabled: sales });
  const deals = useQuery({ queryKey: ['opportunities', 'mine', me.id], queryFn: () => api('GET /opportunities', { query: { ownerId: me.id, limit: 100 } }), enabled: sales });
  const service = me.roles.includes('service');
  // an agent's own tickets come sorted as the queue is: breaching soonest first
  const tickets = useQuery({ queryKey: ['tickets', 'mine', me.id], queryFn: () => api('GET /tickets', { query: { ownerId: me.id, limit: 100 } }), enabled: service });
  const leads = useQuery({ queryKey: ['leads', 'mine', me.id], queryFn: () => api('GET /leads', { query: { ownerId: me.id, limit: 100 } }), enabled: sales });
  const toCloseOut = (promotions.data?.items ?? []).filter((p) => p.status === 'ended');
  const rejected = (promotions.data?.items ?? []).filter((p) => p.status === 'rejected');
  const rejectedClaims = (claims.data?.items ?? []).filter((c) => c.status === 'rejected');
  const actions = toCloseOut.length + rejected.length + rejectedClaims.length;
  return (
    <>
      <h1>Hello, {me.name}</h1>
      <section aria-labelledby="tasks">
        <h2 id="tasks">Approval tasks waiting for me</h2>
        <QueryView query={inbox} label="your approval tasks" isEmpty={(d) => d.items.length === 0} empty="Nothing waits for your decision.">
          {(d) => <InboxTable tasks={d.items} caption="Approval tasks waiting for me, soonest due first" />}
        </QueryView>
      </section>
      {service && (
        <section aria-labelledby="my-tickets" className="card">
          <h2 id="my-tickets">My tickets</h2>
          <QueryView query={tickets} label="your tickets" isEmpty={(d) => d.items.filter(unfinished).length === 0} empty="No open tickets are assigned to you.">
            {(d) => <TicketTable tickets={d.items.filter(unfinished)} caption="Open tickets assigned to me, breaching soonest first" />}
          </QueryView>
        </section>
      )}
      {sales && (
        <>
          <section aria-labelledby="actions" className="card">
            <h2 id="actions">Needs my action</h2>
            {promotions.isPending || claims.isPending ? <p role="status">Loading…</p> : actions === 0 ? <p className="muted">Nothing needs your action.</p> : (
              <ul>
                {toCloseOut.map((p) => <li key={p.id}>Close out <Link to="/promotions/$id" params={{ id: p.id }}>{p.name}</Link>{p.closeOutOverdue && <> <span className="badge bad">overdue</span></>}</li>)}
                {rejected.map((p) => <li key={p.id}>Revise the rejected promotion <Link to="/promotions/$id" params={{ id: p.id }}>{p.name}</Link></li>)}
                {rejectedClaims.map((c) => <li key={c.id}>Revise the rejected claim of <Money minor={c.total.amountMinor} currency={c.total.currency} /> on <Link to="/promotions/$id" params={{ id: c.promotionId }}>its promotion</Link></li>)}
              </ul>
            )}
          </section>
          <div className="grid">
            <section aria-labelledby="deals" className="card">
              <h2 id="deals">My open deals</h2>
              <QueryView query={deals} label="your deals" isEmpty={(d) => !d.items.some((o) => !CLOSED_STAGES.includes(o.stage))} empty="No open deals.">
                {(d) => (
                  <ul className="plain stack">
                    {d.items.filter((o) => !CLOSED_STAGES.includes(o.stage)).map((o) => (
                      <li key={o.id}><Link to="/accounts/$id" params={{ id: o.accountId }}>{o.name}</Link>: <Money minor={o.amount.amountMinor} currency={o.amount.currency} />, {o.stage}, closes <CalendarDate date={o.expectedCloseDate} /></li>
                    ))}
                  </ul>
                )}
              </QueryView>
            </section>
            <section aria-labelledby="leads" className="card">
              <h2 id="leads">My leads</h2>
              <QueryView query={leads} label="your leads" isEmpty={(d) => d.items.length === 0} empty="No leads.">
                {(d) => (
                  <ul className="plain stack">
                    {d.items.filter((l) => l.status !== 'converted' && l.status !== 'disqualified').map((l) => (
                      <li key={l.id}>{l.firstName} {l.lastName}{l.company ? `, ${l.company}` : ''} <Status value={l.status} /> score {l.score}</li>
                    ))}
                  </ul>
                )}
              </QueryView>
            </section>
          </div>
        </>
      )}
    </>
  );
}
