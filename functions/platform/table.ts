import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type BatchGetCommandOutput, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { listPk } from '../../schemas/keys';
import { requiredEnv } from './env';
import { sdkClient } from './sdk-clients';

/** The one table's name, from the function's environment (set by the CDK app). */
export const tableName = () => requiredEnv('TABLE_NAME');

// AWS_ENDPOINT_URL (set by the local runtime) points this same client at the local edge. The document
// client shares the DynamoDB client's middleware, so instrumenting that one traces both.
/** The plain client under documentClient, for libraries that marshal items themselves (Powertools idempotency). */
export const dynamoDbClient = sdkClient(new DynamoDBClient({}));
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});

/** An item of the one table: its key, and the attributes its record type gives it. */
export type TableItem = { pk: string; sk: string } & Record<string, unknown>;
/** A record as stored: the fields its zod schema infers, and the item's key and index attributes. */
export type StoredItem<T> = T & TableItem;

/** Every page of a Query. For small, bounded sets only (a tenant's users, a request's items, its departments). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<TableItem[]> {
  const items: TableItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((page.Items ?? []) as TableItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Every live item of a type as stored (records are written through their schema, so they are read without
 * parsing again): one Query of the byType index, which soft-deleted records leave. For small sets only
 * (a tenant's users, departments, policies).
 */
export const everyItemOf = async <T>(type: string) => (await queryAll({
  IndexName: 'byType', KeyConditionExpression: 'byTypePk = :pk', ExpressionAttributeValues: { ':pk': listPk.byType(type) },
})) as StoredItem<T>[];

/** Items by key in as few consistent BatchGetItem requests as the keys allow (100 a request), unprocessed keys asked again. */
export async function getItems(keys: { pk: string; sk: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(keys.map((k) => [keyString(k), k])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + 100);
    while (pending && pending.length > 0) {
      const response: BatchGetCommandOutput = await documentClient.send(new BatchGetCommand({
        RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } },
      }));
      for (const item of response.Responses?.[tableName()] ?? []) found.set(keyString(item as { pk: string; sk: string }), item);
      pending = response.UnprocessedKeys?.[tableName()]?.Keys;
    }
  }
  return found;
}

export const keyString = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}\u0000${String(key.sk)}`;
