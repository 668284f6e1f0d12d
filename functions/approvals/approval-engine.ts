import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalPolicy, ApprovalStep, ApprovalSubject } from '../../schemas/approvals/policy';
import type { ApprovalRequestRecord, ApprovalTask, AuditAction, AuditEntry, StepState } from '../../schemas/approvals/request';
import { ApprovalApproved, ApprovalRecalled, ApprovalRejected, type ApprovalOutcome, type ApprovalRequestDetail } from '../../schemas/events';
import { approvalInboxKeys, approvalRequestIndexKeys, approvalRequestKey, approvalTaskKey, APPROVAL_REQUEST_TYPE, APPROVAL_TASK_TYPE } from '../../schemas/keys';
import { planApproval, resolveApprovers, type ApprovalDirectory, type ResolutionContext, type ResolvedApprover } from './approval-plan';
import { findPolicyFor } from './approval-policies';
import { auditPut, loadDirectory, readApproval, type ApprovalState } from './approval-store';
import { nextTimer, secondsUntil, stepOutcome, taskTimers } from './approval-outcome';
import { approvalMailWrites, type ApprovalMail } from './approval-mail';
import { DEFAULT_CALENDAR } from '../../schemas/calendar';
import { addBusinessDuration } from '../rules/business-time';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { conflict, DomainError } from '../platform/errors';

/*
 * The approval engine's logic, run by the `approval` state machine (workflows/approval.ts):
 *
 *   Begin ─▶ status? ─pending─▶ Await decisions (task token, times out at the next reminder/deadline)
 *              ▲                        │ woken by a decision / recall / reassignment, or timed out
 *              └──────── Advance ◀──────┘
 *   status approved / rejected / recalled ─▶ announce the outcome (and answer the requester's token)
 *
 * Advance is a reconcile step: it reads the request with its tasks (one Query), sends what reminders
 * are due, applies what deadlines passed (escalate, auto-approve, auto-reject), adds up the open step by
 * its mode, and opens the next step that applies or ends the request, then writes all of that in one
 * transaction conditioned on the request's version. Decisions, recalls and reassignments bump that
 * version too, so a write that raced with one is redone from a fresh read, never half-applied.
 * Running it twice changes nothing the second time, which is what makes retries and restarts safe.
 *
 * Mail goes in the same transaction, through the outbox (platform/outbox.ts): the relay sends it once the
 * write commits and only then (approvers never get a task that does not exist), and a crash after the
 * commit delays it, never loses it.
 */

export type EngineStatus = ApprovalRequestRecord['status'] | 'duplicate';

export interface EngineResult {
  requestId: string;
  status: EngineStatus;
  /** the wait the workflow starts now belongs to this round */
  round: number;
  /** the request's signal count when it was read: a wait that finds more is woken at once */
  signals: number;
  /** until the next reminder or deadline */
  waitSeconds: number;
  /** when waitSeconds was counted: a wait that starts much later would time out that much late */
  countedAt: string;
  /** when the request has ended: the outcome, its event's detail-type and the requester's token */
  outcome?: ApprovalOutcome;
  detailType?: string;
  callbackToken?: string;
}

const OUTCOME_EVENTS = { approved: ApprovalApproved, rejected: ApprovalRejected, recalled: ApprovalRecalled } as const;
const MAX_ATTEMPTS = 5;
const ENGINE = 'engine';

/** The request id for an Approval.Requested without one: the same event delivered twice names the same request. */
export const requestIdFor = (detail: ApprovalRequestDetail, eventId: string | undefined) =>
  detail.requestId ?? `apr-${createHash('sha256').update(`${detail.subject.type}\n${detail.subject.id}\n${eventId ?? ''}`).digest('hex').slice(0, 24)}`;

// ---------------------------------------------------------------------------------------------------
// Changes gathered by one run, written in one transaction

/** The request changed between the engine's read and its write: redo from a fresh read. */
class ConcurrentChange extends DomainError {
  constructor() {
    super('conflict', 'the request changed while the engine worked on it');
    this.name = 'ConcurrentChange';
  }
}

class Changes {
  private readonly audits: GuardedWrite[] = [];
  /** by task id: a task changed twice in one run (reminded, then cancelled) is written once, as it ends up */
  private readonly tasks = new Map<string, ApprovalTask>();
  readonly mails: ApprovalMail[] = [];
  constructor(readonly requestId: string, readonly now: string, private taskCount: number) {}

  nextTaskId(stepIndex: number) {
    this.taskCount += 1;
    return `s${stepIndex}-t${String(this.taskCount).padStart(3, '0')}`;
  }

  audit(entry: Omit<AuditEntry, 'entryId' | 'requestId' | 'at'>) {
    const entryId = `${String(this.audits.length + 1).padStart(3, '0')}-${createHash('sha256').update(`${this.requestId}${this.now}${this.audits.length}${entry.action}`).digest('hex').slice(0, 8)}`;
    this.audits.push({
      item: auditPut(this.requestId, this.now, entryId, entry),
      whenConditionFails: new ConcurrentChange(),
    });
  }

  putTask(task: ApprovalTask) {
    this.tasks.set(task.taskId, task);
  }

  writes(): GuardedWrite[] {
    const taskWrites = [...this.tasks.values()].map((task): GuardedWrite => {
      const inbox = task.status === 'pending' ? approvalInboxKeys(task.assigneeId, task.dueAt, task.requestId, task.taskId) : {};
      return {
        item: { Put: { TableName: tableName(), Item: { ...approvalTaskKey(task.requestId, task.taskId), recordType: APPROVAL_TASK_TYPE, ...task, ...inbox } } },
        whenConditionFails: conflict('task write failed'),
      };
    });
    return [...this.audits, ...taskWrites];
  }
}

async function commit(changes: Changes, request: ApprovalRequestRecord, readVersion: number | undefined, now: Date) {
  const { taskToken: _t, ...stored } = request;
  const writes = [...changes.writes(), ...await approvalMailWrites(changes.mails, now)];
  writes.push({
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...approvalRequestKey(request.requestId), recordType: APPROVAL_REQUEST_TYPE, ...stored, ...approvalRequestIndexKeys(request) },
        ConditionExpression: readVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
        ...(readVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': readVersion } }),
      },
    },
    whenConditionFails: new ConcurrentChange(),
  });
  if (writes.length > 100) throw new Error(`one engine step would write ${writes.length} items; DynamoDB takes 100 in a transaction`);
  await writeAllOrNothing(writes);
}

const isRetryable = (error: unknown) =>
  error instanceof ConcurrentChange || (error instanceof DomainError && error.kind === 'conflict' && /in progress/.test(error.message));

// ---------------------------------------------------------------------------------------------------
// Start

export interface StartInput {
  detail: ApprovalRequestDetail;
  eventId?: string;
  executionArn: string;
}

/** Creates the request (pinning the policy version) and opens its first step; a redelivery finds it there. */
export async function startApproval(input: StartInput, now: Date): Promise<EngineResult> {
  const { detail } = input;
  const requestId = requestIdFor(detail, input.eventId);
  const existing = await readApproval(requestId).catch((error: unknown) => {
    if (error instanceof DomainError && error.kind === 'not-found') return undefined;
    throw error;
  });
  if (existing) {
    if (existing.request.executionArn !== input.executionArn) return { ...resultOf(existing.request, now, []), status: 'duplicate' };
    return advanceApproval(requestId, now);
  }
  const directory = await loadDirectory();
  const submitter = directory.getUser(detail.submitterId);
  const nowIso = now.toISOString();
  const found = await findPolicyFor(detail.subject, detail.policyId);
  const base = {
    requestId, status: 'pending' as const, subject: detail.subject, submitterId: detail.submitterId,
    submitterDepartmentId: submitter?.departmentId ?? detail.subject.departmentId ?? 'unknown',
    currentStep: -1, round: 0, signals: 0, reasons: [] as string[], createdAt: nowIso, updatedAt: nowIso, version: 1,
    executionArn: input.executionArn,
    ...(detail.callbackToken ? { callbackToken: detail.callbackToken } : {}),
  };
  const changes = new Changes(requestId, nowIso, 0);
  if ('reason' in found || !submitter) {
    const reason = !submitter ? `the submitter ${detail.submitterId} is not a user of this CRM` : (found as { reason: string }).reason;
    const request: ApprovalRequestRecord = {
      ...base, status: 'rejected', policyId: detail.policyId ?? 'none', policyVersion: 0,
      policy: placeholderPolicy(detail.subject), steps: [], reasons: [`Cannot be approved: ${reason}`], decidedAt: nowIso,
    };
    changes.audit({ actor: detail.submitterId, action: 'requested', comment: `${detail.subject.type} ${detail.subject.id}` });
    changes.audit({ actor: ENGINE, action: 'completed', comment: request.reasons[0] });
    await commit(changes, request, undefined, now);
    return resultOf(request, now, []);
  }
  const plan = planApproval({
    policy: found.document, subject: detail.subject, submitter: { userId: submitter.id, departmentId: submitter.departmentId }, now, directory,
  });
  const request: ApprovalRequestRecord = {
    ...base,
    policyId: found.policyId, policyVersion: found.version, policy: found.document,
    steps: plan.steps.map((s): StepState => ({ index: s.index, name: s.name, applies: s.applies, reasons: s.reasons, state: 'waiting' })),
  };
  changes.audit({ actor: detail.submitterId, action: 'requested', comment: `${detail.subject.type} ${detail.subject.id} under ${found.policyId} v${found.version}` });
  const tasks: ApprovalTask[] = [];
  moveOn(request, tasks, changes, directory, now);
  request.round += 1;
  await commit(changes, request, undefined, now);
  return resultOf(request, now, tasks);
}

/** A request that matched no policy still records what it asked for; this stands in for the missing policy. */
const placeholderPolicy = (subject: ApprovalSubject): ApprovalPolicy => ({
  id: 'none', name: 'No applicable policy', subjectType: subject.type, steps: [], calendar: DEFAULT_CALENDAR, options: { distinctDeciders: false },
});

// ---------------------------------------------------------------------------------------------------
// Advance

/** Reconciles the request with its tasks, the clock and its policy; see the header. */
export async function advanceApproval(requestId: string, now: Date): Promise<EngineResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await advanceOnce(requestId, now);
    } catch (error) {
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function advanceOnce(requestId: string, now: Date): Promise<EngineResult> {
  const state = await readApproval(requestId, { audit: false });
  const { request } = state;
  const readVersion = request.version;
  if (request.status !== 'pending') return resultOf(request, now, state.tasks);
  const nowIso = now.toISOString();
  const changes = new Changes(requestId, nowIso, state.tasks.length);
  const tasks = state.tasks.map((t) => ({ ...t }));

  if (request.recall) {
    const { by, reason, withdrawn } = request.recall;
    finish(request, tasks, changes, 'recalled', [`${withdrawn ? 'Withdrawn' : 'Recalled'} by ${by}${reason ? `: ${reason}` : ''}`]);
  } else {
    const directory = await loadDirectory();
    const step = request.policy.steps[request.currentStep];
    if (step) applyTimers(request, step, tasks, changes, directory, now);
    moveOn(request, tasks, changes, directory, now);
  }
  if (request.status === 'pending') request.round += 1;
  request.version = readVersion + 1;
  request.updatedAt = nowIso;
  await commit(changes, request, readVersion, now);
  return resultOf(request, now, tasks);
}

function resultOf(request: ApprovalRequestRecord, now: Date, tasks: ApprovalTask[]): EngineResult {
  const result: EngineResult = {
    requestId: request.requestId, status: request.status, round: request.round, signals: request.signals,
    waitSeconds: secondsUntil(nextTimer(tasks.filter((t) => t.stepIndex === request.currentStep)), now), countedAt: now.toISOString(),
  };
  if (request.status === 'pending') return result;
  const outcome: ApprovalOutcome = {
    requestId: request.requestId, subjectType: request.subject.type, subjectId: request.subject.id, submitterId: request.submitterId,
    policyId: request.policyId, policyVersion: request.policyVersion, decidedAt: request.decidedAt ?? now.toISOString(),
    outcome: request.status, reasons: request.reasons,
  };
  return {
    ...result, outcome, detailType: OUTCOME_EVENTS[request.status].detailType,
    ...(request.callbackToken ? { callbackToken: request.callbackToken } : {}),
  };
}

const contextOf = (request: ApprovalRequestRecord, directory: ApprovalDirectory, now: Date): ResolutionContext => ({
  subject: request.subject,
  submitter: { userId: request.submitterId, departmentId: request.submitterDepartmentId },
  now,
  directory,
});

/** Users who decided (themselves, not a deadline) in earlier steps: with distinctDeciders they may not decide again. */
const earlierDeciders = (tasks: ApprovalTask[], stepIndex: number) =>
  new Set(tasks.filter((t) => t.stepIndex < stepIndex && t.decidedBy !== undefined && t.decidedBy !== 'deadline').map((t) => t.assigneeId));

function newTask(
  request: ApprovalRequestRecord, step: ApprovalStep, stepIndex: number, approver: ResolvedApprover, slot: string, via: string,
  changes: Changes, now: Date,
): ApprovalTask {
  return {
    requestId: request.requestId, taskId: changes.nextTaskId(stepIndex), stepIndex, stepName: step.name, slot, assigneeId: approver.userId,
    via, ...(approver.delegatedFrom ? { delegatedFrom: approver.delegatedFrom } : {}), status: 'pending', createdAt: now.toISOString(),
    ...taskTimers(request, step, approver.timeZone, now), reminders: 0, subject: request.subject, submitterId: request.submitterId, version: 1,
  };
}

function assign(request: ApprovalRequestRecord, task: ApprovalTask, tasks: ApprovalTask[], changes: Changes, kind: 'task' | 'escalation' | 'reassignment') {
  tasks.push(task);
  changes.putTask(task);
  changes.audit({
    actor: ENGINE, action: 'task-created', stepIndex: task.stepIndex, taskId: task.taskId, assigneeId: task.assigneeId,
    comment: task.delegatedFrom ? `delegated from ${task.delegatedFrom}` : kind === 'task' ? `via ${task.via}` : kind,
  });
  changes.mails.push({ kind, request, task });
}

/** Who an escalation goes to: the policy's targets, less segregation of duties, earlier deciders and who already holds the slot. */
function escalationTargets(request: ApprovalRequestRecord, step: ApprovalStep, tasks: ApprovalTask[], slot: string, directory: ApprovalDirectory, now: Date) {
  if (step.onTimeout.action !== 'escalate') return [];
  const excluded = request.policy.options.distinctDeciders ? earlierDeciders(tasks, request.currentStep) : new Set<string>();
  const inSlot = new Set(tasks.filter((t) => t.slot === slot).map((t) => t.assigneeId));
  return resolveApprovers(step.onTimeout.to, contextOf(request, directory, now)).approvers.filter((a) => !excluded.has(a.userId) && !inSlot.has(a.userId));
}

/** Reminders that are due, and the policy's action on every deadline that passed. */
function applyTimers(request: ApprovalRequestRecord, step: ApprovalStep, tasks: ApprovalTask[], changes: Changes, directory: ApprovalDirectory, now: Date) {
  const nowIso = now.toISOString();
  const calendar = request.policy.calendar;
  const timeZoneOf = (userId: string) => directory.getUser(userId)?.timeZone ?? 'UTC';
  const open = tasks.filter((t) => t.stepIndex === request.currentStep && t.status === 'pending');
  for (const task of open) {
    if (!task.overdue && task.dueAt <= nowIso) {
      const action = step.onTimeout;
      if (action.action === 'approve' || action.action === 'reject') {
        Object.assign(task, {
          status: action.action === 'approve' ? 'approved' : 'rejected', decidedAt: nowIso, decidedBy: 'deadline',
          comment: action.action === 'approve' ? 'Approved automatically: the deadline passed' : action.reason, version: task.version + 1,
        });
        delete task.nextRemindAt;
        changes.putTask(task);
        changes.audit({ actor: ENGINE, action: action.action === 'approve' ? 'auto-approved' : 'auto-rejected', stepIndex: task.stepIndex, taskId: task.taskId, assigneeId: task.assigneeId, comment: task.comment });
        continue;
      }
      const targets = task.via === 'escalation' ? [] : escalationTargets(request, step, tasks, task.slot, directory, now);
      if (targets.length > 0) {
        Object.assign(task, { status: 'escalated', decidedAt: nowIso, version: task.version + 1 });
        delete task.nextRemindAt;
        changes.putTask(task);
        changes.audit({ actor: ENGINE, action: 'escalated', stepIndex: task.stepIndex, taskId: task.taskId, assigneeId: task.assigneeId, comment: `to ${targets.map((t) => t.userId).join(', ')}` });
        for (const target of targets) assign(request, newTask(request, step, task.stepIndex, target, task.slot, 'escalation', changes, now), tasks, changes, 'escalation');
        continue;
      }
      // nowhere further to go: the task stays open, flagged, and keeps reminding (never silently stalls)
      const every = step.remindEvery ?? step.dueIn;
      Object.assign(task, { overdue: true, nextRemindAt: addBusinessDuration(now, every, calendar, timeZoneOf(task.assigneeId)).toISOString(), version: task.version + 1 });
      changes.putTask(task);
      changes.audit({ actor: ENGINE, action: 'overdue', stepIndex: task.stepIndex, taskId: task.taskId, assigneeId: task.assigneeId, comment: `was due ${task.dueAt}` });
      changes.mails.push({ kind: 'reminder', request, task });
      continue;
    }
    if (task.nextRemindAt !== undefined && task.nextRemindAt <= nowIso) {
      const every = step.remindEvery ?? step.dueIn;
      const next = addBusinessDuration(now, every, calendar, timeZoneOf(task.assigneeId)).toISOString();
      Object.assign(task, { reminders: task.reminders + 1, version: task.version + 1 });
      if (task.overdue || next < task.dueAt) task.nextRemindAt = next;
      else delete task.nextRemindAt;
      changes.putTask(task);
      changes.audit({ actor: ENGINE, action: 'reminded', stepIndex: task.stepIndex, taskId: task.taskId, assigneeId: task.assigneeId, comment: `reminder ${task.reminders}` });
      changes.mails.push({ kind: 'reminder', request, task });
    }
  }
}

/** Ends the open step if its mode is met, then opens the next step that applies, or ends the request. */
function moveOn(request: ApprovalRequestRecord, tasks: ApprovalTask[], changes: Changes, directory: ApprovalDirectory, now: Date) {
  const nowIso = now.toISOString();
  for (;;) {
    const current = request.currentStep;
    if (current >= 0) {
      const step = request.policy.steps[current]!;
      const outcome = stepOutcome(step.mode, tasks.filter((t) => t.stepIndex === current));
      if (outcome.outcome === 'pending') return;
      Object.assign(request.steps[current]!, { state: outcome.outcome, decidedAt: nowIso });
      if (outcome.outcome === 'rejected') {
        finish(request, tasks, changes, 'rejected', outcome.reasons);
        return;
      }
      cancelOpen(tasks.filter((t) => t.stepIndex === current), changes, 'the step was decided');
    }
    const next = request.steps.findIndex((s, i) => i > current && s.applies);
    for (const skipped of request.steps.filter((s, i) => i > current && (next < 0 || i < next))) {
      skipped.state = 'skipped';
      changes.audit({ actor: ENGINE, action: 'step-skipped', stepIndex: skipped.index, comment: skipped.reasons.join('; ') });
    }
    if (next < 0) {
      finish(request, tasks, changes, 'approved', []);
      return;
    }
    request.currentStep = next;
    Object.assign(request.steps[next]!, { state: 'open', openedAt: nowIso });
    changes.audit({ actor: ENGINE, action: 'step-opened', stepIndex: next, comment: request.steps[next]!.name });
    openStep(request, next, tasks, changes, directory, now);
  }
}

/** Creates the step's tasks; a step nobody can take goes straight to its timeout action, so it never waits on no one. */
function openStep(request: ApprovalRequestRecord, index: number, tasks: ApprovalTask[], changes: Changes, directory: ApprovalDirectory, now: Date) {
  const step = request.policy.steps[index]!;
  const ctx = contextOf(request, directory, now);
  const excluded = request.policy.options.distinctDeciders ? earlierDeciders(tasks, index) : new Set<string>();
  const approvers = resolveApprovers(step.approvers, ctx).approvers.filter((a) => !excluded.has(a.userId));
  const needed = step.mode.kind === 'quorum' ? step.mode.count : 1;
  if (approvers.length >= needed) {
    for (const approver of approvers) assign(request, newTask(request, step, index, approver, approver.delegatedFrom ?? approver.userId, approver.via, changes, now), tasks, changes, 'task');
    return;
  }
  const why = approvers.length === 0 ? 'nobody can approve this step' : `a quorum of ${needed} needs more than the ${approvers.length} people who can approve`;
  changes.audit({ actor: ENGINE, action: 'no-approver', stepIndex: index, comment: why });
  const action = step.onTimeout;
  if (action.action === 'escalate') {
    const targets = resolveApprovers(action.to, ctx).approvers.filter((a) => !excluded.has(a.userId));
    if (targets.length > 0) {
      // one slot: any one of the escalation targets decides for the step
      const slot = `escalation-${index}`;
      for (const target of targets) assign(request, newTask(request, step, index, target, slot, 'escalation', changes, now), tasks, changes, 'escalation');
      return;
    }
  }
  const decidedBy = 'deadline';
  const approve = action.action === 'approve';
  const task: ApprovalTask = {
    requestId: request.requestId, taskId: changes.nextTaskId(index), stepIndex: index, stepName: step.name, slot: `nobody-${index}`, assigneeId: 'nobody',
    via: 'policy', status: approve ? 'approved' : 'rejected', createdAt: now.toISOString(), dueAt: now.toISOString(), reminders: 0,
    decidedAt: now.toISOString(), decidedBy, comment: approve ? `Approved automatically: ${why}` : action.action === 'reject' ? `${action.reason} (${why})` : `Rejected: ${why}`,
    submitterId: request.submitterId, version: 1,
  };
  tasks.push(task);
  changes.putTask(task);
  changes.audit({ actor: ENGINE, action: approve ? 'auto-approved' : 'auto-rejected', stepIndex: index, taskId: task.taskId, comment: task.comment });
}

function cancelOpen(tasks: ApprovalTask[], changes: Changes, why: string) {
  for (const task of tasks.filter((t) => t.status === 'pending')) {
    Object.assign(task, { status: 'cancelled', comment: why, version: task.version + 1 });
    delete task.nextRemindAt;
    changes.putTask(task);
  }
}

function finish(request: ApprovalRequestRecord, tasks: ApprovalTask[], changes: Changes, status: 'approved' | 'rejected' | 'recalled', reasons: string[]) {
  const nowIso = changes.now;
  cancelOpen(tasks, changes, `the request was ${status}`);
  for (const step of request.steps) if (step.state === 'open' || step.state === 'waiting') step.state = step.applies ? 'cancelled' : 'skipped';
  Object.assign(request, { status, reasons, decidedAt: nowIso, currentStep: -1 });
  changes.audit({ actor: ENGINE, action: 'completed', comment: status + (reasons.length ? `: ${reasons.join('; ')}` : '') });
  changes.mails.push({ kind: 'outcome', request, task: undefined, tasks });
}

// ---------------------------------------------------------------------------------------------------
// Waiting

/**
 * Stores the token of the wait that starts now (round `round`). Returns true when the wait must end at
 * once: the request moved on meanwhile, or a decision, recall or reassignment came in after Advance read it.
 */
/**
 * The wait's timeout is relative: it counts from when the wait started, not from when the engine counted
 * it. Past this much in between (a slow start, or the local clock moved on), the timer would fire that
 * much late, so the wait ends at once and the engine counts again.
 */
export const WAIT_DRIFT_LIMIT_MS = 5_000;

/** Stores the wait's token on the request; true when the wait must end at once (a signal came, or its timer is stale). */
export async function storeWaitToken(requestId: string, round: number, signalsSeen: number, token: string, countedAt: string, now = new Date()): Promise<boolean> {
  if (now.getTime() - Date.parse(countedAt) > WAIT_DRIFT_LIMIT_MS) return true;
  try {
    const { Attributes } = await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: approvalRequestKey(requestId),
      UpdateExpression: 'SET taskToken = :token, tokenSignals = :seen',
      ConditionExpression: '#status = :pending AND round = :round',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':token': token, ':seen': signalsSeen, ':pending': 'pending', ':round': round },
      ReturnValues: 'ALL_NEW',
    }));
    return Number(Attributes?.signals ?? 0) > signalsSeen;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return true;
    throw error;
  }
}

export type { ApprovalState, AuditAction };
