import type { ApprovalMode, ApprovalStep } from '../../schemas/approvals/policy';
import type { ApprovalRequestRecord, ApprovalTask } from '../../schemas/approvals/request';
import { addBusinessDuration } from '../rules/business-time';

/*
 * How a step's decisions add up (pure). A step's tasks fill "slots": one per approver the step resolved
 * when it opened. An escalation or a reassignment hands the slot to someone else, so a slot is decided
 * by whichever of its tasks is decided first, and the mode counts slots:
 *   any       the first decision decides the step, approve or reject (Salesforce's "first response")
 *   all       every slot approves; one rejection rejects
 *   quorum N  N slots approve; rejected as soon as N can no longer be reached
 * "Request changes" counts as a rejection of the slot: the request goes back to its submitter.
 */

export type StepOutcome =
  | { outcome: 'pending' }
  | { outcome: 'approved' }
  | { outcome: 'rejected'; reasons: string[] };

type SlotState = { state: 'approved' | 'rejected' | 'pending' | 'empty'; at?: string; task?: ApprovalTask };

const slotState = (tasks: ApprovalTask[]): SlotState => {
  const decided = tasks
    .filter((t) => t.status === 'approved' || t.status === 'rejected' || t.status === 'changes-requested')
    .sort((a, b) => String(a.decidedAt).localeCompare(String(b.decidedAt)));
  const [first] = decided;
  if (first) return { state: first.status === 'approved' ? 'approved' : 'rejected', at: first.decidedAt ?? '', task: first };
  return tasks.some((t) => t.status === 'pending') ? { state: 'pending' } : { state: 'empty' };
};

export const rejectionReason = (task: ApprovalTask): string => {
  const who = task.decidedBy === 'deadline' ? 'the deadline' : task.assigneeId;
  const verb = task.status === 'changes-requested' ? 'Changes requested by' : 'Rejected by';
  return `${verb} ${who} at step "${task.stepName}"${task.comment ? `: ${task.comment}` : ''}`;
};

export function stepOutcome(mode: ApprovalMode, tasks: ApprovalTask[]): StepOutcome {
  const bySlot = new Map<string, ApprovalTask[]>();
  for (const task of tasks) bySlot.set(task.slot, [...(bySlot.get(task.slot) ?? []), task]);
  const slots = [...bySlot.values()].map(slotState);
  const approved = slots.filter((s) => s.state === 'approved');
  const rejected = slots.filter((s) => s.state === 'rejected');
  const open = slots.filter((s) => s.state === 'pending');
  const reasons = () => rejected.sort((a, b) => String(a.at).localeCompare(String(b.at))).map((s) => rejectionReason(s.task!));
  switch (mode.kind) {
    case 'any': {
      const first = [...approved, ...rejected].sort((a, b) => String(a.at).localeCompare(String(b.at)))[0];
      if (!first) return { outcome: 'pending' };
      return first.state === 'approved' ? { outcome: 'approved' } : { outcome: 'rejected', reasons: [rejectionReason(first.task!)] };
    }
    case 'all':
      if (rejected.length > 0) return { outcome: 'rejected', reasons: reasons() };
      return open.length === 0 && approved.length > 0 ? { outcome: 'approved' } : { outcome: 'pending' };
    case 'quorum':
      if (approved.length >= mode.count) return { outcome: 'approved' };
      if (approved.length + open.length < mode.count) {
        return {
          outcome: 'rejected',
          reasons: [...reasons(), `A quorum of ${mode.count} can no longer be reached (${approved.length} approved, ${open.length} still open)`],
        };
      }
      return { outcome: 'pending' };
  }
}

/** The next moment something is due on the open tasks (a reminder or a deadline), or undefined. */
export function nextTimer(tasks: ApprovalTask[]): string | undefined {
  const moments = tasks
    .filter((t) => t.status === 'pending')
    .flatMap((t) => [t.nextRemindAt, t.overdue ? undefined : t.dueAt])
    .filter((m): m is string => typeof m === 'string')
    .sort();
  return moments[0];
}

/** Seconds from now to `at`, at least 1 (a wait of 0 would spin), at most a year (Step Functions' limit). */
export const secondsUntil = (at: string | undefined, now: Date): number => {
  const YEAR = 365 * 24 * 3600;
  if (at === undefined) return YEAR;
  return Math.min(YEAR, Math.max(1, Math.ceil((Date.parse(at) - now.getTime()) / 1000)));
};

/** A new task's deadline and first reminder, in business time of the policy's calendar and the approver's zone. */
export function taskTimers(request: ApprovalRequestRecord, step: ApprovalStep, timeZone: string, now: Date): { dueAt: string; nextRemindAt?: string } {
  const calendar = request.policy.calendar;
  const dueAt = addBusinessDuration(now, step.dueIn, calendar, timeZone).toISOString();
  const remind = step.remindEvery ? addBusinessDuration(now, step.remindEvery, calendar, timeZone).toISOString() : undefined;
  return { dueAt, ...(remind && remind < dueAt ? { nextRemindAt: remind } : {}) };
}
