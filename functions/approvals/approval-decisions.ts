import type { ApprovalRequestRecord, ApprovalTask, DecisionBody } from '../../schemas/approvals/request';
import { approvalInboxKeys, approvalRequestKey, approvalTaskKey, APPROVAL_TASK_TYPE, usedLinkKey } from '../../schemas/keys';
import { auditPut, loadDirectory, readApproval, findApprovalRequest, type ApprovalState } from './approval-store';
import { stepOutcome, taskTimers } from './approval-outcome';
import { approvalMailWrites } from './approval-mail';
import { reassignmentRefusal, resolveApprovers } from './approval-plan';
import { conflict, DomainError, forbidden, invalidField, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { waitToWake } from '../platform/outbox';
import { wakeWaitOn } from '../platform/step-functions';
import { tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';

/*
 * What people do to a running approval: decide a task, recall a request, reassign a task.
 * Each is one transaction that also bumps the request's `signals` and `version` (so an engine step that
 * read the request before is redone, never half-applied), then wakes the workflow's wait with the
 * token stored on the request (DESIGN decision 5). The wake is in the transaction too (the outbox), so
 * a crash right after the commit delays it rather than leaving the request waiting for its next timer.
 * It is also tried at once, for speed; whichever comes second finds the wait has seen the change.
 *
 * Segregation of duties is enforced here, on the server, whatever the client shows: nobody decides a
 * request they submitted, nobody decides on a record they own (unless the policy named the owner as
 * approver), and with distinctDeciders nobody decides twice in one request.
 */

const findTask = (state: ApprovalState, taskId: string): ApprovalTask => {
  const task = state.tasks.find((t) => t.taskId === taskId);
  if (!task) throw notFound(`approval ${state.request.requestId} has no task ${taskId}`);
  return task;
};

const describeDecided = (task: ApprovalTask) =>
  task.status === 'escalated' ? `was escalated at ${task.decidedAt} (the deadline passed)`
    : task.status === 'reassigned' ? 'was reassigned to someone else'
      : task.status === 'cancelled' ? `is closed: ${task.comment ?? 'the step or request ended'}`
        : `was already decided (${task.status} by ${task.decidedBy} at ${task.decidedAt})`;

/** 409 for a task no longer open, or of a request that has ended or is ending (recalled or withdrawn, the engine not yet done). */
function assertOpen(request: ApprovalRequestRecord, task: ApprovalTask) {
  if (request.status !== 'pending') {
    throw conflict(`task ${task.taskId} is closed: the request was ${request.status}${request.reasons.length ? ` (${request.reasons.join('; ')})` : ''}`);
  }
  if (request.recall) {
    const { by, reason, withdrawn } = request.recall;
    throw conflict(`task ${task.taskId} is closed: the request is being ${withdrawn ? 'withdrawn' : 'recalled'} by ${by}${reason ? ` (${reason})` : ''}`);
  }
  if (task.status !== 'pending') throw conflict(`task ${task.taskId} ${describeDecided(task)}`);
}

function audit(requestId: string, now: string, entry: Record<string, unknown>): GuardedWrite {
  const entryId = `${String(entry.action)}-${String(entry.taskId ?? 'request')}-${now}`.replace(/[^A-Za-z0-9_-]/g, '');
  return {
    item: auditPut(requestId, now, entryId, entry),
    whenConditionFails: conflict('the same action was just recorded; it is not repeated'),
  };
}

/** Bumps signals and version, so a running engine step redoes its work and a wait in progress wakes. */
const signalRequest = (request: ApprovalRequestRecord, set = '', values: Record<string, unknown> = {}): GuardedWrite => ({
  item: {
    Update: {
      TableName: tableName(),
      Key: approvalRequestKey(request.requestId),
      UpdateExpression: `SET signals = signals + :one, version = version + :one${set}`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':pending': 'pending', ...values },
    },
  },
  whenConditionFails: conflict(`approval ${request.requestId} has already ended`),
});

/** The engine's wait woken once the change commits (`why` names the change, once per request). */
const wakeOnCommit = (requestId: string, why: string, now: string) => waitToWake(`approval-wake#${requestId}#${why}`, approvalRequestKey(requestId), now);

/** Ends the workflow's current wait at once, so it acts on what changed. A wait already over needs no wake. */
async function wakeApproval(requestId: string): Promise<void> {
  await wakeWaitOn(approvalRequestKey(requestId));
}

export function assertMayDecide(state: ApprovalState, task: ApprovalTask, deciderId: string) {
  const { request } = state;
  if (deciderId === request.submitterId) throw forbidden('nobody approves a request they submitted');
  if (deciderId === request.subject.ownerId && task.via !== 'owner') throw forbidden(`${deciderId} owns ${request.subject.type} ${request.subject.id} and may not approve it`);
  if (task.assigneeId !== deciderId) throw forbidden(`task ${task.taskId} is assigned to ${task.assigneeId}, not to ${deciderId}`);
  if (request.policy.options.distinctDeciders) {
    const earlier = state.tasks.find((t) => t.taskId !== task.taskId && t.assigneeId === deciderId && t.decidedBy === deciderId);
    if (earlier) throw forbidden(`${deciderId} already decided step "${earlier.stepName}" of this request; the policy wants a different person for each decision`);
  }
}

export interface LinkUse {
  linkId: string;
  expiresAtSeconds: number;
}

/**
 * Decides one task as `deciderId`: 409 when the task is no longer open (decided, escalated, ended), 403
 * for anyone but its assignee and for segregation of duties. With `link`, the link is marked used in the
 * same transaction: a failed decision does not burn it, and a used link decides nothing.
 */
export async function decideTask(
  requestId: string, taskId: string, body: DecisionBody, deciderId: string, now: string, link?: LinkUse,
): Promise<{ task: ApprovalTask; request: ApprovalRequestRecord }> {
  const state = await readApproval(requestId, { audit: false });
  const task = findTask(state, taskId);
  assertMayDecide(state, task, deciderId);
  assertOpen(state.request, task);
  const status = body.decision === 'approve' ? 'approved' : body.decision === 'reject' ? 'rejected' : 'changes-requested';
  const decided: ApprovalTask = { ...task, status, decidedAt: now, decidedBy: deciderId, ...(body.comment ? { comment: body.comment } : {}), version: task.version + 1 };
  const step = state.request.policy.steps[task.stepIndex];
  const stepTasks = state.tasks.filter((t) => t.stepIndex === task.stepIndex).map((t) => (t.taskId === taskId ? decided : t));
  // only a decision that settles the step needs the engine now; the others are counted when it does
  const settlesStep = step !== undefined && stepOutcome(step.mode, stepTasks).outcome !== 'pending';
  const writes: GuardedWrite[] = [
    ...(link
      ? [{
          item: { Put: { TableName: tableName(), Item: { ...usedLinkKey(link.linkId), usedAt: now, usedBy: deciderId, expiresAt: link.expiresAtSeconds }, ConditionExpression: 'attribute_not_exists(pk)' } },
          whenConditionFails: conflict('this link was used already; each decision link works once'),
        }]
      : []),
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: approvalTaskKey(requestId, taskId),
          UpdateExpression: 'SET #status = :status, decidedAt = :now, decidedBy = :by, version = version + :one' +
            `${body.comment ? ', #comment = :comment' : ''} REMOVE nextRemindAt, byOwnerPk, byOwnerSk`,
          ConditionExpression: '#status = :pending AND assigneeId = :by',
          ExpressionAttributeNames: { '#status': 'status', ...(body.comment ? { '#comment': 'comment' } : {}) },
          ExpressionAttributeValues: { ':status': status, ':now': now, ':by': deciderId, ':one': 1, ':pending': 'pending', ...(body.comment ? { ':comment': body.comment } : {}) },
        },
      },
      whenConditionFails: conflict(`task ${taskId} was decided or closed a moment ago; reload it`),
    },
    signalRequest(state.request),
    audit(requestId, now, { actor: deciderId, action: status, stepIndex: task.stepIndex, taskId, assigneeId: deciderId, ...(body.comment ? { comment: body.comment } : {}) }),
    ...(settlesStep ? [wakeOnCommit(requestId, `decided#${taskId}`, now)] : []),
  ];
  await writeAllOrNothing(writes);
  if (settlesStep) await wakeApproval(requestId);
  return { task: decided, request: state.request };
}

/** Marks a pending request to end as recalled (or withdrawn) and wakes the engine, which closes its tasks and ends it. */
async function endOnRequest(request: ApprovalRequestRecord, recall: NonNullable<ApprovalRequestRecord['recall']>) {
  await writeAllOrNothing([
    signalRequest(request, ', recall = :recall', { ':recall': recall }),
    audit(request.requestId, recall.at, { actor: recall.by, action: recall.withdrawn ? 'withdrawn' : 'recalled', ...(recall.reason ? { comment: recall.reason } : {}) }),
    wakeOnCommit(request.requestId, 'recalled', recall.at),
  ]);
  await wakeApproval(request.requestId);
}

/** The submitter withdraws a pending request; the engine ends it as recalled. */
export async function recallApproval(requestId: string, principal: Principal, reason: string | undefined, now: string) {
  const request = await findApprovalRequest(requestId);
  if (!request) throw notFound(`no approval request ${requestId}`);
  if (request.submitterId !== principal.userId) throw forbidden(`only the submitter (${request.submitterId}) may recall this request`);
  if (request.status !== 'pending') throw conflict(`approval ${requestId} has already ended: ${request.status}`);
  if (request.recall) throw conflict(`approval ${requestId} is being ${request.recall.withdrawn ? 'withdrawn' : 'recalled'} already`);
  const recall = { by: principal.userId, at: now, ...(reason ? { reason } : {}) };
  await endOnRequest(request, recall);
  return { requestId, recall };
}

/**
 * The workflow that asked for the approval stopped waiting for it (its timeout): the request is
 * withdrawn, so nobody is reminded of it or decides it any more. Answers what the asker should apply:
 * the request's own outcome when it ended meanwhile (a decision that crossed the timeout), else recalled
 * with the reason. Running it again answers the same.
 */
export async function withdrawApproval(requestId: string, by: string, reason: string, now: string): Promise<{ outcome: ApprovalRequestRecord['status']; reasons: string[] }> {
  const withdrawn = { outcome: 'recalled' as const, reasons: [reason] };
  const request = await findApprovalRequest(requestId);
  if (!request) return withdrawn;
  if (request.status !== 'pending') return { outcome: request.status, reasons: request.reasons };
  if (request.recall) return withdrawn;
  try {
    await endOnRequest(request, { by, at: now, reason, withdrawn: true });
  } catch (error) {
    // it ended or was recalled just now: its own outcome stands
    if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
    const ended = await findApprovalRequest(requestId);
    if (ended && ended.status !== 'pending') return { outcome: ended.status, reasons: ended.reasons };
  }
  return withdrawn;
}

/**
 * Ops hands a pending task to someone else: the same place in the step, a fresh deadline, a mail to the new
 * assignee. `alsoWrite` joins the same transaction (a handover's outcome mark for the task).
 */
export async function reassignTask(
  requestId: string, taskId: string, assigneeId: string, comment: string, principal: Principal, now: string, alsoWrite: GuardedWrite[] = [],
) {
  const { replacement, writes } = await reassignment(requestId, taskId, assigneeId, comment, principal, now);
  await writeAllOrNothing([...writes, ...alsoWrite]);
  await wakeApproval(requestId);
  return replacement;
}

/** Why a task may not be handed to `assigneeId` now (the checks of reassignTask, nothing written); undefined when it may. */
export async function reassignmentRefused(requestId: string, taskId: string, assigneeId: string, principal: Principal, now: string): Promise<string | undefined> {
  try {
    await checkedReassignment(requestId, taskId, assigneeId, principal, now);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}

/** The reassignment's checks: who may hand it over, to whom, while the task is open. */
async function checkedReassignment(requestId: string, taskId: string, assigneeId: string, principal: Principal, now: string) {
  if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) throw forbidden('only ops and admin reassign approval tasks');
  const state = await readApproval(requestId, { audit: false });
  const { request } = state;
  const task = findTask(state, taskId);
  assertOpen(request, task);
  if (assigneeId === task.assigneeId) throw invalidField('body.assigneeId', `is already the assignee of task ${taskId}`);
  if (assigneeId === principal.userId) throw forbidden('you may not reassign a task to yourself: the step\'s approvers decide it, not who hands it over');
  if (assigneeId === request.submitterId) throw forbidden('nobody approves a request they submitted');
  if (assigneeId === request.subject.ownerId) throw forbidden(`${assigneeId} owns ${request.subject.type} ${request.subject.id} and may not approve it`);
  const directory = await loadDirectory();
  const step = request.policy.steps[task.stepIndex]!;
  const context = { subject: request.subject, submitter: { userId: request.submitterId, departmentId: request.submitterDepartmentId }, now: new Date(now), directory };
  const refusal = reassignmentRefusal(assigneeId, step, context);
  if (refusal) throw invalidField('body.assigneeId', refusal);
  const user = directory.getUser(assigneeId)!;
  if (state.tasks.some((t) => t.stepIndex === task.stepIndex && t.assigneeId === assigneeId && t.status === 'pending')) {
    throw conflict(`${assigneeId} already has an open task in step "${task.stepName}"`);
  }
  return { state, request, task, step, context, user };
}

async function reassignment(requestId: string, taskId: string, assigneeId: string, comment: string, principal: Principal, now: string) {
  const { state, request, task, step, context, user } = await checkedReassignment(requestId, taskId, assigneeId, principal, now);
  const [resolved] = resolveApprovers([{ kind: 'user', userId: assigneeId }], context).approvers;
  const newTaskId = `s${task.stepIndex}-t${String(state.tasks.length + 1).padStart(3, '0')}`;
  const replacement: ApprovalTask = {
    ...task, taskId: newTaskId, assigneeId: resolved?.userId ?? assigneeId, via: 'reassignment', status: 'pending', createdAt: now, reminders: 0, version: 1,
  };
  delete replacement.nextRemindAt;
  delete replacement.delegatedFrom;
  // the new assignee gets the step's whole time and its reminders, as a task the engine creates
  Object.assign(replacement, taskTimers(request, step, user.timeZone, new Date(now)));
  const { dueAt } = replacement;
  delete replacement.overdue;
  const writes: GuardedWrite[] = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: approvalTaskKey(requestId, taskId),
          UpdateExpression: 'SET #status = :reassigned, decidedAt = :now, #comment = :comment, version = version + :one REMOVE nextRemindAt, byOwnerPk, byOwnerSk',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#comment': 'comment' },
          ExpressionAttributeValues: { ':reassigned': 'reassigned', ':now': now, ':comment': `reassigned to ${replacement.assigneeId} by ${principal.userId}: ${comment}`, ':one': 1, ':pending': 'pending' },
        },
      },
      whenConditionFails: conflict(`task ${taskId} was decided or closed a moment ago; reload it`),
    },
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...approvalTaskKey(requestId, newTaskId), recordType: APPROVAL_TASK_TYPE, ...replacement, ...approvalInboxKeys(replacement.assigneeId, dueAt, requestId, newTaskId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      whenConditionFails: conflict('another change to this request was in progress; try again'),
    },
    signalRequest(request),
    audit(requestId, now, { actor: principal.userId, action: 'reassigned', stepIndex: task.stepIndex, taskId: newTaskId, assigneeId: replacement.assigneeId, comment: `from ${task.assigneeId}: ${comment}` }),
    ...await approvalMailWrites([{ kind: 'reassignment', request, task: replacement, reassigned: { from: task.assigneeId, by: principal.userId } }], new Date(now)),
    wakeOnCommit(requestId, `reassigned#${taskId}`, now),
  ];
  return { replacement, writes };
}
