import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/runtime';
import { handoverPk, HANDOVER_SK, itemFor } from '../../../schemas/keys';

/** The runtime's table as a test reads and writes it directly. */
export const tableClient = (dynamoDbEndpoint: string) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));

/**
 * A big book in little time: `count` leads of `ownerId`, written straight into the table as the records
 * store writes them (itemFor), in batches. What a handover of thousands of items is measured and crashed on.
 */
export async function writeLeads(dynamoDbEndpoint: string, tableName: string, owner: { ownerId: string; departmentId: string }, count: number, now = new Date().toISOString()) {
  const documents = tableClient(dynamoDbEndpoint);
  try {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 25) {
      let requests: Record<string, unknown>[] | undefined = Array.from({ length: Math.min(25, count - start) }, (_, i) => {
        const id = `book-lead-${owner.ownerId}-${start + i}`;
        ids.push(id);
        return {
          PutRequest: {
            Item: itemFor('LEAD', {
              id, firstName: 'Book', lastName: `Lead ${start + i}`, source: 'import', score: 0, status: 'new', region: 'North',
              marketingConsent: { status: 'unknown' }, ...owner, version: 1, createdAt: now, updatedAt: now,
            }),
          },
        };
      });
      while (requests?.length) {
        const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
      }
    }
    return ids;
  } finally {
    documents.destroy();
  }
}

/** How many items of a handover have their outcome so far (its pages read straight from the table). */
export async function outcomesSoFar(dynamoDbEndpoint: string, tableName: string, handoverId: string): Promise<number> {
  const documents = tableClient(dynamoDbEndpoint);
  try {
    const { Items = [] } = await documents.send(new QueryCommand({
      TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
      ExpressionAttributeValues: { ':pk': handoverPk(handoverId), ':page': HANDOVER_SK.pagePrefix },
      ProjectionExpression: 'moved, notMoved',
    }));
    return Items.reduce((n, page) => n + Number(page.moved ?? 0) + Number(page.notMoved ?? 0), 0);
  } finally {
    documents.destroy();
  }
}
