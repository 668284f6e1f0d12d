import type { HandoverItem, HandoverItemKind } from '../../schemas/handover/handover';
import { APPROVAL_TASK_TYPE, listPk } from '../../schemas/keys';
import { CLOSED_STAGES } from '../../schemas/records/opportunity';
import type { Role } from '../../schemas/common';
import { reassignmentRefused, reassignTask } from '../approvals';
import { covers, scopeOf } from '../platform/access';
import { conflict, DomainError } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { recordUpdate } from '../platform/record-update';
import { queryAll, type StoredItem } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';

/*
 * The kinds of item a user's book holds, and how each is found and moved: one entry per kind. A record
 * kind moves its owner (and owning department) in one conditional update, "still the leaver's"; an
 * approval task goes through the approval engine's own reassignment. Every move carries the page's
 * outcome mark for the item in its transaction, so a retried move finds the mark and moves nothing twice.
 */

type Item = Record<string, unknown>;

/** An item of the leaver's book as found: what a split decides on, and why it cannot move (if it cannot). */
export interface BookItem {
  kind: HandoverItemKind;
  id: string;
  label: string;
  region?: string;
  accountIds: string[];
  /** the department the item stays in whoever holds it (a ticket's team) */
  departmentId?: string;
  blocked?: string;
}

/** The conflict a move meets when the item already has its outcome: an earlier attempt moved it (or recorded why not). */
export const ALREADY_MARKED = 'the handover item has its outcome already';
const isMarked = (error: unknown) => error instanceof DomainError && error.message === ALREADY_MARKED;

/** Someone who receives part of a book: their user record's id, department and roles. */
export type Receiver = Pick<Principal, 'userId' | 'departmentId' | 'roles'>;

export interface HandoverKind {
  /** the leaver's items of this kind; those `startedBy` may not hand over are blocked */
  find(fromUserId: string, startedBy: Principal): Promise<BookItem[]>;
  /** why `item` cannot go to `receiver` (checked when the book is planned); undefined when it can */
  refusal(item: HandoverItem, receiver: Receiver, startedBy: Principal, now: string): Promise<string | undefined>;
  /** moves the item with `mark` in the same transaction; returns why not when it could not (the mark is then the caller's to write) */
  move(item: HandoverItem, fromUserId: string, receiver: Receiver, mark: GuardedWrite, startedBy: Principal, now: string): Promise<string | undefined>;
  /** a kind whose move is one conditional write may move many items in one transaction with their marks: that write */
  moveWrite?(item: HandoverItem, fromUserId: string, receiver: Receiver, now: string): GuardedWrite;
}

/** A user's records of a type: owned records, found by the owner index. */
const ownedBy = async (type: string, userId: string) => (await queryAll({
  IndexName: 'byOwner', KeyConditionExpression: 'byOwnerPk = :pk', ExpressionAttributeValues: { ':pk': listPk.byOwner(type, userId) },
})) as StoredItem<{ ownerId: string; departmentId: string }>[];

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

interface RecordKindRules {
  /** whether a found record moves, is left out ('skip'), or why it cannot move */
  state?: (record: Item) => 'move' | 'skip' | string;
  /**
   * The record stays in its department and only its owner changes; the receiver must belong to it. A
   * ticket is worked by its team (its SLA, queue and escalations are the team's), so it goes to a
   * colleague in that team, never along with the receiver to another department.
   */
  staysInDepartment?: boolean;
}

/** A record type's items: found by owner, kept or blocked by `state`, moved by one conditional update. */
function recordKind(type: string, describe: (record: Item) => string, { state = () => 'move', staysInDepartment = false }: RecordKindRules = {}): HandoverKind {
  const kind = type.toLowerCase() as HandoverItemKind;
  return {
    async find(fromUserId, startedBy) {
      const scope = scopeOf(startedBy, type, 'write');
      return (await ownedBy(type, fromUserId)).flatMap((record): BookItem[] => {
        const verdict = covers(scope, startedBy, record) ? state(record) : `is not yours to hand over (${kind} of department ${String(record.departmentId)})`;
        if (verdict === 'skip') return [];
        const accountIds = type === 'ACCOUNT' ? [String(record.id)] : str(record.accountId) ? [String(record.accountId)] : ((record.accountIds as string[] | undefined) ?? []);
        return [{
          kind, id: String(record.id), label: describe(record), region: str(record.region), accountIds,
          ...(staysInDepartment ? { departmentId: record.departmentId } : {}),
          ...(verdict === 'move' ? {} : { blocked: verdict }),
        }];
      });
    },
    async refusal(item, receiver, startedBy) {
      if (staysInDepartment && receiver.departmentId !== item.departmentId) {
        return `stays with department ${String(item.departmentId)}, and ${receiver.userId} is not in it`;
      }
      // what the receiver will hold: their own record in their department, which the starter must reach too
      const next = { ownerId: receiver.userId, departmentId: receiver.departmentId };
      if (!covers(scopeOf({ ...receiver, roles: receiver.roles as Role[] }, type, 'write'), receiver, next)) {
        return `${receiver.userId} (${receiver.roles.join(', ')}) may not own ${kind} records`;
      }
      if (!covers(scopeOf(startedBy, type, 'write'), startedBy, next)) return `you may not hand ${kind} records to department ${receiver.departmentId}`;
      return undefined;
    },
    moveWrite: (item, fromUserId, receiver, now) => recordUpdate({
      type, id: item.id, now,
      set: {
        ownerId: receiver.userId, byOwnerPk: listPk.byOwner(type, receiver.userId),
        ...(staysInDepartment ? {} : { departmentId: receiver.departmentId, byDepartmentPk: listPk.byDepartment(type, receiver.departmentId) }),
      },
      condition: `ownerId = :from AND attribute_not_exists(deletedAt)${staysInDepartment ? ' AND departmentId = :department' : ''}`,
      values: { ':from': fromUserId, ...(staysInDepartment ? { ':department': item.departmentId } : {}) },
      whenConditionFails: conflict(`is no longer ${fromUserId}'s (deleted or handed to someone else meanwhile)`),
    }),
    async move(item, fromUserId, receiver, mark, _startedBy, now) {
      try {
        await writeAllOrNothing([this.moveWrite!(item, fromUserId, receiver, now), mark]);
        return undefined;
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'conflict' && !isMarked(error) && !error.message.startsWith('another change')) return error.message;
        throw error;
      }
    },
  };
}

/** Promotions a book hands over: drafts and those running or finishing; one under approval waits for its decision. */
const promotionState = (record: Item) => {
  const status = String(record.status);
  if (status === 'settled' || status === 'cancelled') return 'skip';
  if (status === 'submitted') return 'is under approval: its approvers were chosen for its owner; hand it over once it is decided';
  return 'move';
};

const approvalTaskKind: HandoverKind = {
  async find(fromUserId) {
    const tasks = await queryAll({
      IndexName: 'byOwner', KeyConditionExpression: 'byOwnerPk = :pk', ExpressionAttributeValues: { ':pk': listPk.byOwner(APPROVAL_TASK_TYPE, fromUserId) },
    });
    return tasks.filter((task) => task.status === 'pending').map((task) => {
      const subject = task.subject as { type?: string; id?: string; title?: string } | undefined;
      return {
        kind: 'approval-task' as const,
        id: `${String(task.requestId)}/${String(task.taskId)}`,
        label: `${subject?.title ?? `${subject?.type ?? 'request'} ${subject?.id ?? ''}`.trim()}: step "${String(task.stepName)}"`,
        accountIds: [],
      };
    });
  },
  refusal(item, receiver, startedBy, now) {
    const [requestId = '', taskId = ''] = item.id.split('/');
    return reassignmentRefused(requestId, taskId, receiver.userId, startedBy, now);
  },
  async move(item, fromUserId, receiver, mark, startedBy, now) {
    const [requestId = '', taskId = ''] = item.id.split('/');
    try {
      await reassignTask(requestId, taskId, receiver.userId, `work handover from ${fromUserId}`, startedBy, now, [mark]);
      return undefined;
    } catch (error) {
      // refused, or decided or closed meanwhile: a decided task stays as it is
      if (error instanceof DomainError && !isMarked(error) && !error.message.startsWith('another change')) return error.message;
      throw error;
    }
  },
};

/** Every kind a book holds, in the order a handover lists and moves them. */
export const HANDOVER_KINDS: Record<HandoverItemKind, HandoverKind> = {
  account: recordKind('ACCOUNT', (r) => `${String(r.name)} (${String(r.code)})`),
  contact: recordKind('CONTACT', (r) => `${String(r.firstName)} ${String(r.lastName)}`),
  lead: recordKind('LEAD', (r) => [r.firstName, r.lastName].filter(Boolean).join(' ') + (r.company ? ` (${String(r.company)})` : '')),
  opportunity: recordKind('OPPORTUNITY', (r) => String(r.name), { state: (r) => (CLOSED_STAGES.includes(String(r.stage)) ? 'skip' : 'move') }),
  promotion: recordKind('PROMOTION', (r) => String(r.name), { state: promotionState }),
  'approval-task': approvalTaskKind,
  // a closed ticket's history stays with whoever worked it; a resolved one may be reopened, so it moves too
  ticket: recordKind('TICKET', (r) => String(r.subject), { state: (r) => (r.status === 'closed' ? 'skip' : 'move'), staysInDepartment: true }),
};
