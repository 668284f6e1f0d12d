import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { createTablesFromTemplate, type TemplateResources } from '../../local/dynamodb/create-tables';
import { dynamoDbProxyService, startEdge, type Edge } from '../../local/edge/edge-server';

const clientFor = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

const portOf = (url: string) => Number(new URL(url).port);

/** Resolves with 'connected' or the socket error's code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

function nonLoopbackAddress(): string | undefined {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address;
}

/** Checks a listener is reachable on 127.0.0.1 and refused on this machine's other address. */
async function expectLoopbackOnly(port: number): Promise<void> {
  expect(await tryConnect('127.0.0.1', port)).toBe('connected');
  const other = nonLoopbackAddress();
  if (!other) {
    console.warn('skipped the non-loopback check: this machine has no non-loopback IPv4 address');
    return;
  }
  expect(await tryConnect(other, port)).toBe('ECONNREFUSED');
}

// What CDK's TableV2 synthesizes (AWS::DynamoDB::GlobalTable), trimmed to what matters locally.
const TEMPLATE: TemplateResources = {
  TableCD117FA1: {
    Type: 'AWS::DynamoDB::GlobalTable',
    Properties: {
      TableName: { Ref: 'TableNameParameter' },
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
        { AttributeName: 'gsi2pk', AttributeType: 'S' },
        { AttributeName: 'gsi2sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      Replicas: [{ Region: { Ref: 'AWS::Region' }, GlobalSecondaryIndexes: [{ IndexName: 'gsi1' }, { IndexName: 'gsi2' }] }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
  },
  SomethingElse: { Type: 'AWS::Lambda::Function', Properties: {} },
};

// The caller's resolver; here only the one Ref the template uses.
const resolve = (value: unknown) =>
  value && typeof value === 'object' && 'Ref' in value && value.Ref === 'TableNameParameter' ? 'tradeflow-test' : value;

describe('DynamoDB Local (in memory)', () => {
  let db: DynamoDbLocal;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startDynamoDbLocal({ port: 0 });
    client = clientFor(db.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await db?.stop();
  });

  it('answers on 127.0.0.1 only', async () => {
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expectLoopbackOnly(portOf(db.endpoint));
  });

  it('names the taken port when it cannot listen', async () => {
    const port = portOf(db.endpoint);
    await expect(startDynamoDbLocal({ port })).rejects.toThrow(`port ${port} is in use`);
  });

  it('asks for Java when there is none', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(tmpdir(), 'no-java-here');
    try {
      await expect(startDynamoDbLocal({ port: 0 })).rejects.toThrow('Java 17+ is required for DynamoDB Local');
    } finally {
      process.env.PATH = path;
    }
  });

  describe('createTablesFromTemplate', () => {
    it('creates the table with its GSIs, stream and TTL', async () => {
      const logs: string[] = [];
      const tables = await createTablesFromTemplate(client, TEMPLATE, resolve, (line) => logs.push(line));
      expect(tables).toEqual([{ logicalId: 'TableCD117FA1', tableName: 'tradeflow-test' }]);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'tradeflow-test' }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType, i.IndexStatus]).sort()).toEqual([
        ['gsi1', 'ALL', 'ACTIVE'],
        ['gsi2', 'ALL', 'ACTIVE'],
      ]);
      expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      expect(Table?.LatestStreamArn).toBeTruthy();
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');

      const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: 'tradeflow-test' }));
      expect(TimeToLiveDescription).toEqual({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
      expect(logs).toEqual([
        'created table tradeflow-test (GSI gsi1, GSI gsi2, stream NEW_AND_OLD_IMAGES)',
        'table tradeflow-test: TTL on attribute expiresAt',
      ]);
    });

    it('leaves an existing table alone when nothing changed', async () => {
      const before = await client.send(new DescribeTableCommand({ TableName: 'tradeflow-test' }));
      const logs: string[] = [];
      const tables = await createTablesFromTemplate(client, TEMPLATE, resolve, (line) => logs.push(line));
      const after = await client.send(new DescribeTableCommand({ TableName: 'tradeflow-test' }));
      expect(tables).toEqual([{ logicalId: 'TableCD117FA1', tableName: 'tradeflow-test' }]);
      expect(logs).toEqual([]);
      expect(after.Table?.LatestStreamArn).toBe(before.Table?.LatestStreamArn);
      expect(after.Table?.CreationDateTime).toEqual(before.Table?.CreationDateTime);
    });

    it('adds a GSI that the template gained since the table was created', async () => {
      const props = TEMPLATE.TableCD117FA1!.Properties;
      const grown: TemplateResources = {
        TableCD117FA1: {
          Type: 'AWS::DynamoDB::GlobalTable',
          Properties: {
            ...props,
            AttributeDefinitions: [...props.AttributeDefinitions, { AttributeName: 'gsi3pk', AttributeType: 'S' }],
            GlobalSecondaryIndexes: [
              ...props.GlobalSecondaryIndexes,
              { IndexName: 'gsi3', KeySchema: [{ AttributeName: 'gsi3pk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
            ],
          },
        },
      };
      const logs: string[] = [];
      await createTablesFromTemplate(client, grown, resolve, (line) => logs.push(line));
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'tradeflow-test' }));
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2', 'gsi3']);
      expect(logs).toEqual(['table tradeflow-test existed; added GSI gsi3']);
    });

    it('names a table without TableName by what its Ref resolves to (the name functions are given)', async () => {
      const tables = await createTablesFromTemplate(
        client,
        {
          Plain: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
            },
          },
        },
        (value) => (value && typeof value === 'object' && 'Ref' in value && value.Ref === 'Plain' ? 'Stack-Plain' : value),
        () => {},
      );
      expect(tables).toEqual([{ logicalId: 'Plain', tableName: 'Stack-Plain' }]);
    });
  });

  describe('the edge', () => {
    let edge: Edge;
    let viaEdge: DynamoDBClient;

    beforeAll(async () => {
      edge = await startEdge({ port: 0 });
      edge.register(dynamoDbProxyService(db.endpoint));
      viaEdge = clientFor(edge.url);
    });
    afterAll(async () => {
      viaEdge?.destroy();
      await edge?.stop();
    });

    it('serves DynamoDB through the edge', async () => {
      await viaEdge.send(
        new CreateTableCommand({
          TableName: 'edge-test',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await viaEdge.send(new PutItemCommand({ TableName: 'edge-test', Item: { id: { S: 'a' }, name: { S: 'Ada' } } }));
      const { Item } = await viaEdge.send(new GetItemCommand({ TableName: 'edge-test', Key: { id: { S: 'a' } } }));
      expect(Item).toEqual({ id: { S: 'a' }, name: { S: 'Ada' } });
      const { Items } = await viaEdge.send(new ScanCommand({ TableName: 'edge-test' }));
      expect(Items).toEqual([{ id: { S: 'a' }, name: { S: 'Ada' } }]);
      // the same data as DynamoDB Local's own endpoint
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).toContain('edge-test');
    });

    it("passes DynamoDB's errors through as they are", async () => {
      await expect(
        viaEdge.send(new GetItemCommand({ TableName: 'no-such-table', Key: { id: { S: 'a' } } })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('answers on 127.0.0.1 only', async () => {
      await expectLoopbackOnly(portOf(edge.url));
    });
  });
});
