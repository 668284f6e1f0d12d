import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability';

/** The one table's name, from the function's environment (set by the CDK app). */
export const tableName = () => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
};

// AWS_ENDPOINT_URL (set by the local runtime) points this same client at the local edge.
/** The plain client under documentClient, for libraries that marshal items themselves (Powertools idempotency). */
export const dynamoDbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
