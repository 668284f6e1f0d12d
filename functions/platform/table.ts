import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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

type Item = Record<string, unknown>;

/** Every page of a Query on the table. For bounded sets (a tenant's users, a request's items, a user's book). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({ ...input, TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
