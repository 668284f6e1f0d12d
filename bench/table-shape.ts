import '../local/quiet-sdk-warning';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, type GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/runtime';
import { INDEX_NAMES, indexKeyAttributes } from '../schemas/keys/table';
import { TX_ITEMS, WARM_UP_S, ceilingRate, rate, transactionCost } from './ddb-local-rates';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * What a write costs DynamoDB Local by the shape of its table, to tell which part of an enrolment's cost
 * is the CRM table's and which the engine's: the same transactions of 2 and 10 items (no item carrying an
 * index key) on a table shaped like the CRM's (its six global secondary indexes and its stream, as
 * infra/constructs/crm-table.ts declares them), on the same table without the stream, and on a bare one;
 * and a BatchWriteItem of 10 on the CRM's shape. DynamoDB Local on a data folder, as `npm start` runs it.
 */
const SHAPES = {
  'crm-table': { indexes: true, stream: true },
  'indexes-only': { indexes: true, stream: false },
  'bare-table': { indexes: false, stream: false },
} as const;

const indexes = (): { definitions: GlobalSecondaryIndex[]; attributes: string[] } => {
  const keyed = INDEX_NAMES.map((indexName) => ({ indexName, ...indexKeyAttributes(indexName) }));
  return {
    definitions: keyed.map(({ indexName, pk, sk }) => ({
      IndexName: indexName,
      KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }, { AttributeName: sk, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    })),
    attributes: keyed.flatMap(({ pk, sk }) => [pk, sk]),
  };
};

/** a timeline line's size: what most of an enrolment's items are */
const body = { at: '2026-12-07T09:00:00.000Z', kind: 'nurture.mail-sent', text: 'Sent "Welcome to Tradeflow" to the lead', by: 'nurture' };

export const tableShape: Benchmark = {
  name: 'table-shape',
  description: "what a write costs DynamoDB Local on a table shaped like the CRM's (six indexes, a stream) against the same table without them",
  async run() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tradeflow-bench-table-shape-'));
    const dynamodb = await startDynamoDbLocal({ port: 0, dataDir });
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const table = DynamoDBDocumentClient.from(client);
    try {
      const { definitions, attributes } = indexes();
      for (const [name, shape] of Object.entries(SHAPES)) {
        await client.send(new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: ['pk', 'sk', ...(shape.indexes ? attributes : [])].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          ...(shape.indexes ? { GlobalSecondaryIndexes: definitions } : {}),
          ...(shape.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
        }));
      }
      const transaction = (tableName: string, tag: string, items: number) => (n: number) => table.send(new TransactWriteCommand({
        TransactItems: Array.from({ length: items }, (_, side) => ({
          Put: { TableName: tableName, Item: { pk: `${tag}#${n}`, sk: String(side), ...body }, ConditionExpression: 'attribute_not_exists(pk)' },
        })),
      }));
      await rate(transaction('crm-table', 'warm', 2), WARM_UP_S);

      const perItem: Record<string, number> = {};
      for (const name of Object.keys(SHAPES)) {
        progress(`table-shape: ${name}`);
        const cost = transactionCost(await ceilingRate(transaction(name, 'tx', 2)), await ceilingRate(transaction(name, 'tx10', TX_ITEMS)));
        perItem[name] = cost.perItemMs;
        report(`${name}: a transaction holds DynamoDB Local ${fixed1(cost.perRequestMs)} ms, plus ${fixed1(cost.perItemMs)} ms for each of its items`);
        figure(`ddb-local-item-ms-${name}`, cost.perItemMs.toFixed(2), 'ms per transaction item');
      }
      const batchPerS = await ceilingRate((n) => table.send(new BatchWriteCommand({
        RequestItems: { 'crm-table': Array.from({ length: TX_ITEMS }, (_, side) => ({ PutRequest: { Item: { pk: `batch#${n}`, sk: String(side), ...body } } })) },
      })));
      report(`crm-table: a BatchWriteItem of ${TX_ITEMS} holds DynamoDB Local ${fixed1(1000 / batchPerS)} ms`);
      figure('ddb-local-batch-item-ms-crm-table', (1000 / batchPerS / TX_ITEMS).toFixed(2), 'ms per batch item');
      report(`the CRM table's shape makes each item cost ${(perItem['crm-table']! / perItem['bare-table']!).toFixed(1)} times what it costs on a bare table`);
    } finally {
      client.destroy();
      await dynamodb.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
