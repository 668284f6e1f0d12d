import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { LeadStatusSchema } from '../../../schemas/records/lead';
import { api } from '../api/client';
import { usePeople } from '../people';
import { SelectField } from '../ui/fields';
import { Status, When } from '../ui/format';
import { QueryView } from '../ui/states';

export function LeadsPage() {
  const people = usePeople();
  const [status, setStatus] = useState('');
  const leads = useQuery({ queryKey: ['leads', status], queryFn: () => api('GET /leads', { query: { limit: 100, ...(status ? { status } : {}) } }) });
  return (
    <>
      <h1>Leads</h1>
      <div className="card" style={{ maxWidth: '20rem' }}>
        <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value)} options={[{ value: '', label: 'Any status' }, ...LeadStatusSchema.options]} />
      </div>
      <QueryView query={leads} label="leads" isEmpty={(d) => d.items.length === 0} empty="No leads.">
        {(d) => (
          <div className="table-wrap">
            <table>
              <thead><tr><th scope="col">Lead</th><th scope="col">Company</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col" className="num">Score</th><th scope="col">Owner</th><th scope="col">Since</th></tr></thead>
              <tbody>
                {d.items.map((l) => (
                  <tr key={l.id}>
                    <td>{l.firstName} {l.lastName}{l.email && <><br /><a href={`mailto:${l.email}`}>{l.email}</a></>}</td>
                    <td>{l.company ?? ''}</td><td>{l.source}</td><td><Status value={l.status} /></td><td className="num">{l.score}</td>
                    <td>{people.name(l.ownerId)}</td><td><When at={l.createdAt} dateOnly /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
