import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { indexKeyAttributes, QUARANTINED_EVENT_TYPE } from '../../schemas/keys';
import { QuarantineQuerySchema } from '../../schemas/api/routes';
import { apiHandler } from '../shared/api-handler';
import { forbidden } from '../shared/errors';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { toRecord } from '../shared/record-store';
import { documentClient, tableName } from '../shared/table';
import { parseInput } from '../shared/validation';

/** GET /events/quarantine: the inbound events that were refused, newest first (ops and admin). */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) throw forbidden('only ops and admin may read quarantined events');
  const query = parseInput(QuarantineQuerySchema, request.query, 'query');
  const { pk } = indexKeyAttributes('byType');
  const list = { index: 'byType', pk: QUARANTINED_EVENT_TYPE };
  const { Items = [], LastEvaluatedKey } = await documentClient.send(new QueryCommand({
    TableName: tableName(),
    IndexName: 'byType',
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': pk },
    ExpressionAttributeValues: { ':pk': QUARANTINED_EVENT_TYPE },
    ScanIndexForward: false,
    Limit: query.limit ?? 25,
    ...(query.cursor ? { ExclusiveStartKey: decodeCursor(list, query.cursor) } : {}),
  }));
  return { status: 200, body: { items: Items.map(toRecord), ...(LastEvaluatedKey ? { nextCursor: encodeCursor(list, LastEvaluatedKey) } : {}) } };
});
