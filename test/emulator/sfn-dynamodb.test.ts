import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { dynamoDbProxyService } from '../../local/edge/edge-server';
import { LOCAL, output, startSfnHarness, type SfnHarness } from './support/sfn-harness';

let dynamodb: DynamoDbLocal;
let h: SfnHarness;

beforeAll(async () => {
  dynamodb = await startDynamoDbLocal({ port: 0 });
  h = await startSfnHarness({ extra: [dynamoDbProxyService(dynamodb.endpoint)] });
  const client = new DynamoDBClient({ endpoint: h.edge.url, ...LOCAL });
  await client.send(
    new CreateTableCommand({
      TableName: 'records', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  client.destroy();
});
afterAll(async () => {
  await h?.stop();
  await dynamodb?.stop();
});

describe('DynamoDB integrations against DynamoDB Local', () => {
  it('putItem then getItem (optimized) and aws-sdk:dynamodb:getItem, with DynamoDB JSON', async () => {
    const d = await h.run(
      {
        StartAt: 'Put',
        States: {
          Put: {
            Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem',
            Parameters: { TableName: 'records', Item: { pk: { 'S.$': '$.id' }, status: { S: 'NEW' }, amount: { 'N.$': 'States.JsonToString($.amount)' } } },
            ResultPath: null, Next: 'Get',
          },
          Get: {
            Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem',
            Parameters: { TableName: 'records', Key: { pk: { 'S.$': '$.id' } } },
            ResultSelector: { 'status.$': '$.Item.status.S', 'amount.$': '$.Item.amount.N' }, ResultPath: '$.optimized', Next: 'SdkGet',
          },
          SdkGet: {
            Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
            Parameters: { TableName: 'records', Key: { pk: { 'S.$': '$.id' } } },
            ResultSelector: { 'item.$': '$.Item' }, ResultPath: '$.sdk', End: true,
          },
        },
      },
      { id: 'r1', amount: 1250 },
    );
    expect(output(d)).toEqual({
      id: 'r1', amount: 1250,
      optimized: { status: 'NEW', amount: '1250' },
      sdk: { item: { pk: { S: 'r1' }, status: { S: 'NEW' }, amount: { N: '1250' } } },
    });
  });

  it('names a failed condition as AWS does: DynamoDB.* for the optimized integration, DynamoDb.* for aws-sdk', async () => {
    const conditional = (resource: string) => ({
      Type: 'Task', Resource: resource,
      Parameters: { TableName: 'records', Item: { pk: { S: 'r1' } }, ConditionExpression: 'attribute_not_exists(pk)' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }],
    });
    const d = await h.run({
      StartAt: 'Optimized',
      States: {
        Optimized: { ...conditional('arn:aws:states:::dynamodb:putItem'), End: true, Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.optimized', Next: 'Sdk' }] },
        Sdk: { ...conditional('arn:aws:states:::aws-sdk:dynamodb:putItem'), End: true, Catch: [{ ErrorEquals: ['DynamoDb.ConditionalCheckFailedException'], ResultPath: '$.sdk', Next: 'Done' }] },
        Done: { Type: 'Pass', End: true },
      },
    });
    const out = output(d);
    expect(out.optimized.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(out.sdk.Error).toBe('DynamoDb.ConditionalCheckFailedException');
  });
});
