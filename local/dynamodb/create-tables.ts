import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type StreamViewType,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation properties are untyped JSON */
export type TemplateResources = Record<string, { Type: string; Properties?: any }>;
type Resolve = (value: unknown) => unknown;
type Log = (line: string) => void;

const TABLE_TYPES = new Set(['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table']);
const POLL_MS = 100;
const ACTIVE_TIMEOUT_MS = 60_000;

/** What a template says about one table, in the DynamoDB API's terms. */
interface TableSpec {
  tableName: string;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  globalSecondaryIndexes: GlobalSecondaryIndex[];
  localSecondaryIndexes: LocalSecondaryIndex[];
  streamViewType?: StreamViewType;
  ttlAttribute?: string;
}

/**
 * Creates the DynamoDB tables (TableV2's AWS::DynamoDB::GlobalTable, or AWS::DynamoDB::Table) of a
 * CloudFormation template's Resources. Locally every table is PAY_PER_REQUEST. A table that already
 * exists (persisted data) is kept; what the template added since (GSIs, stream, TTL) is added to it.
 */
export async function createTablesFromTemplate(
  client: DynamoDBClient,
  resources: TemplateResources,
  resolve: Resolve,
  log: Log = (line) => console.log(line),
): Promise<{ logicalId: string; tableName: string }[]> {
  const created: { logicalId: string; tableName: string }[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!TABLE_TYPES.has(resource.Type)) continue;
    const spec = tableSpec(logicalId, resource.Properties ?? {}, resolve);
    const existing = await describeTable(client, spec.tableName);
    if (existing) await reconcileTable(client, spec, existing, log);
    else await createTable(client, spec, log);
    await ensureTimeToLive(client, spec, log);
    created.push({ logicalId, tableName: spec.tableName });
  }
  return created;
}

function tableSpec(logicalId: string, props: any, resolve: Resolve): TableSpec {
  const text = (value: unknown) => String(resolve(value));
  const keySchema = (keys: any[] = []): KeySchemaElement[] =>
    keys.map((key) => ({ AttributeName: text(key.AttributeName), KeyType: text(key.KeyType) as KeySchemaElement['KeyType'] }));
  const projection = (p: any = {}): Projection => ({
    ProjectionType: p.ProjectionType ? (text(p.ProjectionType) as Projection['ProjectionType']) : 'ALL',
    ...(p.NonKeyAttributes ? { NonKeyAttributes: (resolve(p.NonKeyAttributes) as unknown[]).map(text) } : {}),
  });
  const index = (i: any) => ({ IndexName: text(i.IndexName), KeySchema: keySchema(i.KeySchema), Projection: projection(i.Projection) });

  const ttl = props.TimeToLiveSpecification;
  const ttlEnabled = ttl?.AttributeName !== undefined && resolve(ttl.Enabled) !== false;
  const streamViewType = props.StreamSpecification?.StreamViewType;
  return {
    // a table without TableName gets the name its Ref resolves to, the same one the functions are given
    tableName: text(props.TableName ?? { Ref: logicalId }),
    keySchema: keySchema(props.KeySchema),
    attributeDefinitions: ((props.AttributeDefinitions ?? []) as any[]).map((a) => ({
      AttributeName: text(a.AttributeName),
      AttributeType: text(a.AttributeType) as AttributeDefinition['AttributeType'],
    })),
    globalSecondaryIndexes: ((props.GlobalSecondaryIndexes ?? []) as any[]).map(index),
    localSecondaryIndexes: ((props.LocalSecondaryIndexes ?? []) as any[]).map(index),
    streamViewType: streamViewType !== undefined ? (text(streamViewType) as StreamViewType) : undefined,
    ttlAttribute: ttlEnabled ? text(ttl.AttributeName) : undefined,
  };
}

async function createTable(client: DynamoDBClient, spec: TableSpec, log: Log): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: spec.tableName,
      KeySchema: spec.keySchema,
      AttributeDefinitions: spec.attributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: nonEmpty(spec.globalSecondaryIndexes),
      LocalSecondaryIndexes: nonEmpty(spec.localSecondaryIndexes),
      StreamSpecification: spec.streamViewType ? { StreamEnabled: true, StreamViewType: spec.streamViewType } : undefined,
    }),
  );
  await waitUntilActive(client, spec.tableName);
  const extras = [
    ...spec.globalSecondaryIndexes.map((i) => `GSI ${i.IndexName}`),
    ...spec.localSecondaryIndexes.map((i) => `LSI ${i.IndexName}`),
    ...(spec.streamViewType ? [`stream ${spec.streamViewType}`] : []),
  ];
  log(`created table ${spec.tableName}${extras.length ? ` (${extras.join(', ')})` : ''}`);
}

/** Adds to an existing table what the template has and it lacks. Key schema and LSIs cannot change after creation. */
async function reconcileTable(client: DynamoDBClient, spec: TableSpec, existing: TableDescription, log: Log): Promise<void> {
  const existingIndexes = new Set((existing.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  // DynamoDB takes one new GSI per UpdateTable
  for (const gsi of spec.globalSecondaryIndexes.filter((i) => !existingIndexes.has(i.IndexName))) {
    const keyNames = new Set(gsi.KeySchema!.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: spec.tableName,
        AttributeDefinitions: spec.attributeDefinitions.filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: gsi }],
      }),
    );
    await waitUntilActive(client, spec.tableName);
    log(`table ${spec.tableName} existed; added GSI ${gsi.IndexName}`);
  }

  const stream = existing.StreamSpecification;
  if (spec.streamViewType && !(stream?.StreamEnabled && stream.StreamViewType === spec.streamViewType)) {
    if (stream?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: spec.tableName, StreamSpecification: { StreamEnabled: false } }));
      await waitUntilActive(client, spec.tableName);
    }
    await client.send(
      new UpdateTableCommand({
        TableName: spec.tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: spec.streamViewType },
      }),
    );
    await waitUntilActive(client, spec.tableName);
    log(`table ${spec.tableName} existed; enabled stream ${spec.streamViewType}`);
  }
}

async function ensureTimeToLive(client: DynamoDBClient, spec: TableSpec, log: Log): Promise<void> {
  if (!spec.ttlAttribute) return;
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: spec.tableName }));
  if (ttl?.TimeToLiveStatus === 'ENABLED' && ttl.AttributeName === spec.ttlAttribute) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: spec.tableName,
      TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
    }),
  );
  log(`table ${spec.tableName}: TTL on attribute ${spec.ttlAttribute}`);
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Waits until the table and all its GSIs are ACTIVE. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const nonEmpty = <T>(items: T[]): T[] | undefined => (items.length ? items : undefined);
