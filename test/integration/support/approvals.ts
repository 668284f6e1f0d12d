import type { ApprovalOutcome } from '../../../schemas/events/approvals';
import type { LocalCrm } from './local-crm';

/**
 * "Someone decides the approval" for the promotion and claim workflows, through the approval engine as
 * people do: the subject's newest pending request is found in its submitter's list, and each open
 * task is decided by its assignee (approve, or reject with the reasons) until the request ends.
 */
export async function decideApproval(crm: LocalCrm, decision: {
  subjectType: 'promotion' | 'expense-claim';
  subjectId: string;
  outcome: ApprovalOutcome['outcome'];
  reasons?: string[];
  /** which request of the subject (its nth submission); the newest when omitted */
  submission?: number;
}): Promise<void> {
  const asked = await crm.eventually(async () => (await crm.busEvents()).filter((e) => e['detail-type'] === 'Approval.Requested'
    && e.detail.subject?.type === decision.subjectType && e.detail.subject?.id === decision.subjectId), (events) => events.length >= (decision.submission ?? 1), 30_000);
  const submitterId = asked[0]?.detail.submitterId;
  if (!submitterId) throw new Error(`no Approval.Requested for ${decision.subjectType} ${decision.subjectId}`);
  const mine = await crm.eventually(
    async () => ((await crm.as(submitterId).get('/approvals?limit=100')).body.items as any[])
      .filter((r) => r.subject.type === decision.subjectType && r.subject.id === decision.subjectId),
    (requests) => requests.length >= (decision.submission ?? 1) && requests[0].status === 'pending', 30_000,
  );
  const requestId = mine[0]?.requestId;
  if (!requestId || mine[0].status !== 'pending') throw new Error(`no pending approval of ${decision.subjectType} ${decision.subjectId}`);
  if (decision.outcome === 'recalled') {
    await crm.as(submitterId).post(`/approvals/${requestId}/recall`, {});
    return;
  }
  for (let decided = 0; decided < 10; decided++) {
    const view = await crm.eventually(
      () => crm.as('u-ops').get(`/approvals/${requestId}`),
      (r) => r.status === 200 && (r.body.request.status !== 'pending' || r.body.tasks.some((t: any) => t.status === 'pending')), 30_000,
    );
    if (view.body.request.status !== 'pending') return;
    const task = view.body.tasks.find((t: any) => t.status === 'pending');
    const body = decision.outcome === 'approved' ? { decision: 'approve' } : { decision: 'reject', comment: (decision.reasons ?? ['rejected']).join('; ') };
    const reply = await crm.as(task.assigneeId).post(`/approvals/${requestId}/tasks/${task.taskId}/decision`, body);
    // a step decided by "any one" closes its other tasks once the engine has counted: that one came too late
    if (reply.status === 409) continue;
    if (reply.status !== 200) throw new Error(`${task.assigneeId} could not decide ${requestId}: ${reply.status} ${JSON.stringify(reply.body)}`);
    await crm.eventually(() => crm.as('u-ops').get(`/approvals/${requestId}`), (r) => !r.body.tasks.some((t: any) => t.taskId === task.taskId && t.status === 'pending'));
  }
  throw new Error(`approval ${requestId} did not end after 10 decisions`);
}
