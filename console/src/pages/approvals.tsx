import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { DECISIONS, DecisionBodySchema } from '../../../schemas/approvals/request';
import { AwayBodySchema } from '../../../schemas/records';
import { ApiError, api } from '../api/client';
import type { ApprovalRequest, ApprovalTask } from '../api/endpoints';
import { useApp, useMe } from '../app-context';
import { useFieldErrors } from '../forms';
import { usePeople } from '../people';
import { SelectField, TextArea, TextField } from '../ui/fields';
import { Due, Money, Status, When } from '../ui/format';
import { FormError, QueryView } from '../ui/states';

type Subject = ApprovalRequest['subject'];
const amountOf = (subject: Subject | undefined) => {
  const amount = subject?.fields.amount as { amountMinor?: number; currency?: string } | undefined;
  return typeof amount?.amountMinor === 'number' && typeof amount.currency === 'string' ? { minor: amount.amountMinor, currency: amount.currency } : undefined;
};

/** What is being approved, by name: a promotion's name, a claim's promotion; otherwise its type and id. */
export function SubjectName({ subject, link = true }: { subject: Subject | undefined; link?: boolean }) {
  const promotionId = subject?.type === 'promotion' ? subject.id : subject?.type === 'expense-claim' ? String(subject.fields.promotionId ?? '') : '';
  const promotion = useQuery({
    queryKey: ['promotion', promotionId],
    queryFn: () => api('GET /promotions/{id}', { path: { id: promotionId } }),
    enabled: Boolean(promotionId),
    staleTime: 60_000,
  });
  if (!subject) return <>a request</>;
  const name = promotion.data?.name ?? (promotion.isPending && promotionId ? '…' : subject.id);
  const label = subject.type === 'promotion' ? `Promotion ${name}` : subject.type === 'expense-claim' ? `Expense claim for ${name}` : `${subject.type} ${subject.id}`;
  if (!link || !promotionId) return <>{label}</>;
  return <>{label} (<Link to="/promotions/$id" params={{ id: promotionId }}>open the promotion</Link>)</>;
}

export function InboxTable({ tasks, caption }: { tasks: ApprovalTask[]; caption: string }) {
  const people = usePeople();
  const sorted = [...tasks].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead><tr><th scope="col">Request</th><th scope="col" className="num">Amount</th><th scope="col">From</th><th scope="col">Step</th><th scope="col">Due</th></tr></thead>
        <tbody>
          {sorted.map((t) => {
            const amount = amountOf(t.subject);
            return (
              <tr key={t.taskId}>
                <td><Link to="/approvals/$id" params={{ id: t.requestId }}><SubjectName subject={t.subject} link={false} /></Link></td>
                <td className="num">{amount && <Money minor={amount.minor} currency={amount.currency} />}</td>
                <td>{people.name(t.submitterId)}</td>
                <td>{t.stepName}{t.delegatedFrom && <> (for {people.name(t.delegatedFrom)})</>}</td>
                <td><Due at={t.dueAt} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The inbox (what waits for me, soonest due first) and my requests. */
export function ApprovalsPage() {
  const { view } = useSearch({ from: '/signed-in/approvals' });
  const inbox = useQuery({ queryKey: ['inbox'], queryFn: () => api('GET /approval-inbox', { query: { limit: 100 } }), enabled: view !== 'mine' });
  const mine = useQuery({ queryKey: ['my-approvals'], queryFn: () => api('GET /approvals', { query: { limit: 100 } }), enabled: view === 'mine' });
  return (
    <>
      <h1>Approvals</h1>
      <nav className="tabs" aria-label="Approvals">
        <Link to="/approvals" search={{}} aria-current={view !== 'mine' ? 'page' : undefined} activeOptions={{ includeSearch: true }}>Waiting for me</Link>
        <Link to="/approvals" search={{ view: 'mine' }} aria-current={view === 'mine' ? 'page' : undefined} activeOptions={{ includeSearch: true }}>My requests</Link>
        <Link to="/away">Away and delegate</Link>
      </nav>
      {view !== 'mine' ? (
        <QueryView query={inbox} label="your approval tasks" isEmpty={(d) => d.items.length === 0} empty="Nothing waits for your decision.">
          {(d) => <InboxTable tasks={d.items} caption="Approval tasks waiting for me, soonest due first" />}
        </QueryView>
      ) : (
        <QueryView query={mine} label="your requests" isEmpty={(d) => d.items.length === 0} empty="You have not asked for any approval.">
          {(d) => (
            <div className="table-wrap">
              <table>
                <thead><tr><th scope="col">Request</th><th scope="col" className="num">Amount</th><th scope="col">Status</th><th scope="col">Asked</th></tr></thead>
                <tbody>
                  {d.items.map((r) => {
                    const amount = amountOf(r.subject);
                    return (
                      <tr key={r.requestId}>
                        <td><Link to="/approvals/$id" params={{ id: r.requestId }}><SubjectName subject={r.subject} link={false} /></Link></td>
                        <td className="num">{amount && <Money minor={amount.minor} currency={amount.currency} />}</td>
                        <td><Status value={r.status} /></td>
                        <td><When at={r.createdAt} /></td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      )}
    </>
  );
}

/** The policy's steps with each task: who decided (when, why), who is pending and when it is due. */
export function ApprovalProgress({ requestId, heading = 'Approval progress' }: { requestId: string; heading?: string }) {
  const people = usePeople();
  const view = useQuery({
    queryKey: ['approval', requestId],
    queryFn: () => api('GET /approvals/{id}', { path: { id: requestId } }),
    retry: (n, e) => e instanceof ApiError && e.status === 404 && n < 10,
    retryDelay: 1000,
    refetchInterval: (q) => (q.state.data?.request.status === 'pending' ? 3000 : false),
  });
  return (
    <section className="card" aria-labelledby="progress">
      <h2 id="progress">{heading}</h2>
      <QueryView query={view} label="the approval">
        {({ request, tasks }) => (
          <>
            <p>Request <Status value={request.status} />{request.decidedAt && <> · decided <When at={request.decidedAt} /></>}</p>
            <ol className="steps">
              {request.steps.map((step) => (
                <li key={step.index}>
                  <strong>{step.name}</strong> <Status value={step.applies ? step.state : 'skipped'} />
                  {!step.applies && <span className="muted"> ({step.reasons.join('; ')})</span>}
                  <ul>
                    {tasks.filter((t) => t.stepIndex === step.index).map((t) => (
                      <li key={t.taskId}>
                        {people.name(t.assigneeId)}{t.delegatedFrom && <> (delegate of {people.name(t.delegatedFrom)})</>}:{' '}
                        {t.status === 'pending' ? <>pending, <Due at={t.dueAt} /></> : (
                          <><Status value={t.status} />{t.decidedAt && <> <When at={t.decidedAt} /></>}{t.decidedBy && t.decidedBy !== t.assigneeId && <> by {people.name(t.decidedBy)}</>}
                            {t.comment && <>: “{t.comment}”</>}</>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          </>
        )}
      </QueryView>
    </section>
  );
}

/** A request: the subject with its amounts, the steps, every decision, the audit trail; decide or recall. */
export function ApprovalPage() {
  const { id } = useParams({ from: '/signed-in/approvals/$id' });
  const me = useMe();
  const people = usePeople();
  const client = useQueryClient();
  const view = useQuery({ queryKey: ['approval', id], queryFn: () => api('GET /approvals/{id}', { path: { id } }) });
  const audit = useQuery({ queryKey: ['approval-audit', id], queryFn: () => api('GET /approvals/{id}/audit', { path: { id } }) });
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: ['approval', id] }), client.invalidateQueries({ queryKey: ['approval-audit', id] }),
    client.invalidateQueries({ queryKey: ['inbox'] }), client.invalidateQueries({ queryKey: ['my-approvals'] })]);
  const recall = useMutation({ mutationFn: () => api('POST /approvals/{id}/recall', { path: { id }, body: {} }), onSuccess: refresh });
  const request = view.data?.request;
  const myTask = view.data?.tasks.find((t) => t.assigneeId === me.id && t.status === 'pending');
  const amount = amountOf(request?.subject);
  return (
    <>
      <h1>{request ? <SubjectName subject={request.subject} link={false} /> : 'Approval request'}</h1>
      <QueryView query={view} label="the request">
        {({ request }) => (
          <>
            <section className="card" aria-labelledby="subject">
              <h2 id="subject">What is asked</h2>
              <dl className="facts">
                <dt>Subject</dt><dd><SubjectName subject={request.subject} /></dd>
                {amount && <><dt>Amount</dt><dd><Money minor={amount.minor} currency={amount.currency} /></dd></>}
                <dt>Asked by</dt><dd>{people.name(request.submitterId)}, <When at={request.createdAt} /></dd>
                <dt>Policy</dt><dd>{request.policy.name ?? request.policyId} (version {request.policyVersion})</dd>
                <dt>Status</dt><dd><Status value={request.status} /></dd>
              </dl>
              {request.submitterId === me.id && request.status === 'pending' && (
                <>
                  <FormError error={recall.error} />
                  <button type="button" className="danger" disabled={recall.isPending}
                    onClick={() => { if (window.confirm('Recall this request? The approvers will no longer see it.')) recall.mutate(); }}>Recall request</button>
                </>
              )}
            </section>
            {myTask && <DecideForm task={myTask} onDone={refresh} />}
            <ApprovalProgress requestId={id} heading="Steps and decisions" />
            <section className="card" aria-labelledby="audit">
              <h2 id="audit">Audit trail</h2>
              <QueryView query={audit} label="the audit trail" isEmpty={(d) => d.items.length === 0}>
                {(d) => (
                  <ol className="timeline">
                    {d.items.map((e) => (
                      <li key={e.entryId}><When at={e.at} />: {people.name(e.actor)} · {e.action.replace(/-/g, ' ')}
                        {e.assigneeId && <> · {people.name(e.assigneeId)}</>}{e.comment && <> · “{e.comment}”</>}</li>
                    ))}
                  </ol>
                )}
              </QueryView>
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

const DECISION_LABEL: Record<(typeof DECISIONS)[number], string> = { approve: 'Approve', reject: 'Reject', 'request-changes': 'Request changes' };

function DecideForm({ task, onDone }: { task: ApprovalTask; onDone: () => Promise<unknown> }) {
  const errors = useFieldErrors();
  const navigate = useNavigate();
  const [decision, setDecision] = useState<(typeof DECISIONS)[number]>('approve');
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: (body: unknown) => api('POST /approvals/{id}/tasks/{taskId}/decision', { path: { id: task.requestId, taskId: task.taskId }, body: body as never }),
    onSuccess: async () => {
      await onDone();
      await navigate({ to: '/approvals', search: {} });
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const data = errors.checked(DecisionBodySchema, { decision, ...(comment.trim() ? { comment } : {}) });
    if (data) decide.mutate(data);
  };
  return (
    <section className="card" aria-labelledby="decide">
      <h2 id="decide">Your decision</h2>
      <p>Step “{task.stepName}”, <Due at={task.dueAt} />.</p>
      <form onSubmit={submit} noValidate>
        <FormError error={decide.error} />
        <fieldset>
          <legend>Decision</legend>
          {DECISIONS.map((d) => (
            <label key={d} style={{ fontWeight: 'normal' }}>
              <input type="radio" name="decision" value={d} style={{ width: 'auto' }} checked={decision === d} onChange={() => setDecision(d)} /> {DECISION_LABEL[d]}
            </label>
          ))}
        </fieldset>
        <TextArea label="Comment" hint="Required to reject or request changes: say why." value={comment} onChange={(e) => setComment(e.target.value)} error={errors.of('comment')} />
        <button type="submit" disabled={decide.isPending}>{DECISION_LABEL[decision]}</button>
      </form>
    </section>
  );
}

/** Away until a date, with a delegate who gets my new approval tasks; or back. */
export function AwayPage() {
  const me = useMe();
  const { locale } = useApp();
  const people = usePeople();
  const client = useQueryClient();
  const errors = useFieldErrors();
  const profile = people.users.find((u) => u.id === me.id);
  const [until, setUntil] = useState('');
  const [delegate, setDelegate] = useState('');
  const [done, setDone] = useState('');
  const save = useMutation({
    mutationFn: (body: unknown) => api('PUT /users/{id}/away', { path: { id: me.id }, body: body as never }),
    onSuccess: async (_, body) => {
      setDone((body as { awayUntil: string | null }).awayUntil ? 'Saved: your new tasks go to your delegate while you are away.' : 'Welcome back: new tasks come to you again.');
      await client.invalidateQueries({ queryKey: ['users'] });
    },
    onError: errors.fromError,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const data = errors.checked(AwayBodySchema, { awayUntil: until, ...(delegate ? { delegateId: delegate } : {}) });
    if (data) save.mutate(data);
  };
  return (
    <>
      <h1>Away and delegate</h1>
      <div className="card">
        {profile?.awayUntil ? (
          <p>You are away until <strong>{profile.awayUntil.length === 10 ? profile.awayUntil : new Date(profile.awayUntil).toLocaleString(locale.locale, { timeZone: locale.timeZone })}</strong>;
            new tasks go to {people.name(profile.delegateId)}.</p>
        ) : <p>You are not away: new approval tasks come to you.</p>}
        <form onSubmit={submit} noValidate>
          <FormError error={save.error} />
          <div className="grid">
            <TextField label="Away until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} error={errors.of('awayUntil')} hint="You are back at the start of that day." />
            <SelectField label="Delegate" value={delegate} onChange={(e) => setDelegate(e.target.value)} error={errors.of('delegateId')}
              options={[{ value: '', label: 'Choose someone' }, ...people.users.filter((u) => u.id !== me.id && u.status === 'active').map((u) => ({ value: u.id, label: u.name }))]} />
          </div>
          <div className="row">
            <button type="submit" disabled={save.isPending}>Set me away</button>
            {profile?.awayUntil && <button type="button" className="secondary" onClick={() => save.mutate({ awayUntil: null })}>I am back</button>}
          </div>
          <p role="status" aria-live="polite">{done}</p>
        </form>
      </div>
    </>
  );
}
