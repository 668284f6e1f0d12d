import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InboxQuerySchema, type ApprovalRequestRecord } from '../../schemas/approvals/request';
import { APPROVAL_REQUEST_TYPE, listPk } from '../../schemas/keys';
import { apiHandler } from '../shared/api-handler';
import { requestView } from '../shared/approval-views';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { toRecord } from '../shared/record-store';
import { documentClient, tableName } from '../shared/table';
import { parseInput } from '../shared/validation';

/** GET /approvals: the requests the caller submitted, newest first. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  const pk = listPk.byOwner(APPROVAL_REQUEST_TYPE, principal.userId);
  const list = { index: 'byOwner', pk };
  const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand({
    TableName: tableName(),
    IndexName: 'byOwner',
    KeyConditionExpression: 'byOwnerPk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ScanIndexForward: false,
    Limit: query.limit ?? 25,
    ...(query.cursor ? { ExclusiveStartKey: decodeCursor(list, query.cursor) } : {}),
  }));
  const items = Items.map((item) => requestView(toRecord(item) as unknown as ApprovalRequestRecord));
  return { status: 200, body: { items, ...(LastEvaluatedKey ? { nextCursor: encodeCursor(list, LastEvaluatedKey) } : {}) } };
});
