import { Link, useParams } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { usePeople } from '../people';
import { Money, When } from '../ui/format';
import { QueryView } from '../ui/states';
import { InboxTable } from './approvals';
import { PromotionTable } from './promotions';

/** Finance: claims waiting for my decision, funds with their balances, and each promotion's money. */
export function FinancePage() {
  const people = usePeople();
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: () => api('GET /approval-inbox', { query: { limit: 100 } }) });
  const funds = useQuery({ queryKey: ['funds'], queryFn: () => api('GET /funds', { query: { limit: 100 } }) });
  const promotions = useQuery({ queryKey: ['promotions', ''], queryFn: () => api('GET /promotions', { query: { limit: 100 } }) });
  return (
    <>
      <h1>Finance</h1>
      <section aria-labelledby="claims-to-decide">
        <h2 id="claims-to-decide">Claims to decide</h2>
        <QueryView query={inbox} label="claims" isEmpty={(d) => !d.items.some((t) => t.subject?.type === 'expense-claim')} empty="No claim waits for your decision.">
          {(d) => <InboxTable tasks={d.items.filter((t) => t.subject?.type === 'expense-claim')} caption="Claims to decide" />}
        </QueryView>
      </section>
      <section aria-labelledby="funds">
        <h2 id="funds">Funds</h2>
        <QueryView query={funds} label="funds" isEmpty={(d) => d.items.length === 0} empty="No funds you may see.">
          {(d) => (
            <div className="table-wrap">
              <table>
                <thead><tr><th scope="col">Fund</th><th scope="col">Region, period</th><th scope="col" className="num">Allocated</th><th scope="col" className="num">Available</th><th scope="col" className="num">Reserved</th><th scope="col" className="num">Spent</th></tr></thead>
                <tbody>
                  {d.items.map((f) => (
                    <tr key={f.id}>
                      <td><Link to="/funds/$id" params={{ id: f.id }}>{f.name}</Link></td>
                      <td>{f.region}, {f.period}</td>
                      <td className="num"><Money minor={f.allocatedMinor} currency={f.currency} /></td>
                      <td className="num"><Money minor={f.availableMinor} currency={f.currency} /></td>
                      <td className="num"><Money minor={f.reservedMinor} currency={f.currency} /></td>
                      <td className="num"><Money minor={f.spentMinor} currency={f.currency} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
      <section aria-labelledby="promotion-money">
        <h2 id="promotion-money">Promotions' money</h2>
        <QueryView query={promotions} label="promotions" isEmpty={(d) => d.items.length === 0}>
          {(d) => <PromotionTable promotions={d.items} owner={people.name} />}
        </QueryView>
      </section>
    </>
  );
}

const KIND_LABEL: Record<string, string> = { allocate: 'Allocated', reserve: 'Reserved', release: 'Released', spend: 'Spent (claim approved)' };

/** A fund's statement: every movement and the available balance after it. */
export function FundPage() {
  const { id } = useParams({ from: '/signed-in/funds/$id' });
  const statement = useQuery({ queryKey: ['fund-statement', id], queryFn: () => api('GET /funds/{id}/statement', { path: { id } }) });
  return (
    <>
      <h1>{statement.data ? `${statement.data.fund.name}: statement` : 'Fund statement'}</h1>
      <QueryView query={statement} label="the statement">
        {({ fund, entries, balances }) => (
          <>
            <div className="card">
              <dl className="facts">
                <dt>Allocated</dt><dd><Money minor={fund.allocatedMinor} currency={fund.currency} /></dd>
                <dt>Available</dt><dd><Money minor={fund.availableMinor} currency={fund.currency} /></dd>
                <dt>Reserved</dt><dd><Money minor={fund.reservedMinor} currency={fund.currency} /></dd>
                <dt>Spent</dt><dd><Money minor={fund.spentMinor} currency={fund.currency} /></dd>
              </dl>
              <p className={balances ? 'muted' : 'error'}>{balances ? 'The movements add up to the balance, to the cent.' : 'The movements do not add up to the balance: tell the finance team.'}</p>
            </div>
            {entries.length === 0 ? <p className="muted">No movements yet.</p> : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Movements, oldest first, with the balance after each</caption>
                  <thead><tr><th scope="col">When</th><th scope="col">Movement</th><th scope="col">For</th><th scope="col" className="num">Amount</th><th scope="col" className="num">Available after</th><th scope="col" className="num">Reserved after</th><th scope="col" className="num">Spent after</th></tr></thead>
                  <tbody>
                    {entries.map((e) => (
                      <tr key={e.movementId}>
                        <td><When at={e.at} /></td>
                        <td>{KIND_LABEL[e.kind] ?? e.kind}</td>
                        <td>{e.promotionId ? <Link to="/promotions/$id" params={{ id: e.promotionId }}>{e.note || 'promotion'}</Link> : e.note}</td>
                        <td className="num"><Money minor={e.amountMinor} currency={e.currency} /></td>
                        <td className="num"><Money minor={e.after.availableMinor} currency={e.currency} /></td>
                        <td className="num"><Money minor={e.after.reservedMinor} currency={e.currency} /></td>
                        <td className="num"><Money minor={e.after.spentMinor} currency={e.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}
