import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { APPROVAL_AUDIT_TYPE, APPROVAL_SK, approvalAuditKey, approvalRequestKey, approvalRequestPk, recordKey } from '../../schemas/keys';
import type { ApprovalRequestRecord, ApprovalTask, AuditEntry } from '../../schemas/approvals/request';
import { Departments, Users, type Department, type User } from '../../schemas/records';
import type { ApprovalDirectory, DirectoryDepartment, DirectoryUser } from './approval-plan';
import { notFound } from '../platform/errors';
import { readerOf, type Reader } from '../platform/mail-content';
import { toRecord } from '../records';
import { documentClient, everyItemOf, queryAll, tableName } from '../platform/table';

/**
 * The people and departments approvers are resolved from: two Queries (every live user and department;
 * soft-deleted ones have no index keys). A tenant's directory is small; loading it whole keeps the
 * planner pure.
 */
export async function loadDirectory(): Promise<ApprovalDirectory> {
  const [users, departments] = await Promise.all([everyItemOf<User>(Users.type), everyItemOf<Department>(Departments.type)]);
  const byId = new Map<string, DirectoryUser>(
    users.map((u) => [u.id, {
      id: u.id,
      roles: u.roles,
      departmentId: u.departmentId,
      timeZone: u.timeZone,
      status: u.status,
      ...(u.awayUntil ? { awayUntil: u.awayUntil } : {}),
      ...(u.delegateId ? { delegateId: u.delegateId } : {}),
    }]),
  );
  const departmentById = new Map<string, DirectoryDepartment>(
    departments.map((d) => [d.id, {
      id: d.id,
      ...(d.parentId ? { parentId: d.parentId } : {}),
      ...(d.managerUserId ? { managerUserId: d.managerUserId } : {}),
    }]),
  );
  return {
    getUser: (id) => byId.get(id),
    usersWithRole: (role, departmentId) =>
      [...byId.values()].filter((u) => u.roles.includes(role) && (departmentId === undefined || u.departmentId === departmentId)),
    getDepartment: (id) => departmentById.get(id),
  };
}

/** A user as mail addresses and names them, with how they read money and times; undefined for an unknown user. */
export async function readUserContact(userId: string): Promise<Reader | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(Users.type, userId) }));
  return readerOf(userId, Item);
}

export interface ApprovalState {
  request: ApprovalRequestRecord;
  /** with their table keys stripped */
  tasks: ApprovalTask[];
  audit: AuditEntry[];
}

/** The request, its tasks and its audit trail: one Query on its item collection. */
export async function readApproval(requestId: string, options: { audit?: boolean } = {}): Promise<ApprovalState> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': approvalRequestPk(requestId) },
    ConsistentRead: true,
  });
  const request = items.find((i) => i.sk === APPROVAL_SK.request);
  if (!request) throw notFound(`no approval request ${requestId}`);
  const tasks = items.filter((i) => i.sk.startsWith(APPROVAL_SK.taskPrefix)).map((i) => toRecord(i) as unknown as ApprovalTask);
  const audit = options.audit === false ? [] : items.filter((i) => i.sk.startsWith(APPROVAL_SK.auditPrefix)).map((i) => toRecord(i) as unknown as AuditEntry);
  return { request: toRecord(request) as unknown as ApprovalRequestRecord, tasks, audit };
}

/** The request item alone (GetItem), or undefined. */
export async function findApprovalRequest(requestId: string): Promise<ApprovalRequestRecord | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: approvalRequestKey(requestId), ConsistentRead: true }));
  return Item ? (toRecord(Item) as unknown as ApprovalRequestRecord) : undefined;
}

/** An audit entry as stored: written once (attribute_not_exists), never changed. */
export const auditPut = (requestId: string, at: string, entryId: string, entry: Record<string, unknown>) => ({
  Put: {
    TableName: tableName(),
    Item: { ...approvalAuditKey(requestId, at, entryId), recordType: APPROVAL_AUDIT_TYPE, entryId, requestId, at, ...entry },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});
