import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InboxQuerySchema } from '../../schemas/approvals/request';
import { APPROVAL_TASK_TYPE, listPk } from '../../schemas/keys';
import { apiHandler } from '../shared/api-handler';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { toRecord } from '../shared/record-store';
import { documentClient, tableName } from '../shared/table';
import { parseInput } from '../shared/validation';

/** GET /approval-inbox: the caller's open approval tasks, soonest due first, each with what it is about. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  const pk = listPk.byOwner(APPROVAL_TASK_TYPE, principal.userId);
  const list = { index: 'byOwner', pk };
  const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand({
    TableName: tableName(),
    IndexName: 'byOwner',
    KeyConditionExpression: 'byOwnerPk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    Limit: query.limit ?? 25,
    ...(query.cursor ? { ExclusiveStartKey: decodeCursor(list, query.cursor) } : {}),
  }));
  return { status: 200, body: { items: Items.map(toRecord), ...(LastEvaluatedKey ? { nextCursor: encodeCursor(list, LastEvaluatedKey) } : {}) } };
});
