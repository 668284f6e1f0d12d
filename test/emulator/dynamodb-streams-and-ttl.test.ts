import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll, onTestFailed, vi } from 'vitest';
import { BatchWriteItemCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { TemplateResource } from '../../local/assembly/cloud-assembly';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import { createLocalClock } from '../../local/clock';
import { createTablesFromTemplate } from '../../local/dynamodb/create-tables';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { startStreamPoller, type StreamPoller } from '../../local/dynamodb/streams/stream-poller';
import { startTtlSweeper } from '../../local/dynamodb/ttl-sweeper';
import { until } from '../integration/support/until';

const REGION = 'us-east-1';

const table = (name: string, extra: Record<string, unknown> = {}): TemplateResource => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: name,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    ...extra,
  },
});
const fn = (name: string): TemplateResource => ({ Type: 'AWS::Lambda::Function', Properties: { FunctionName: name } });
const mapping = (tableId: string, fnId: string, extra: Record<string, unknown> = {}): TemplateResource => ({
  Type: 'AWS::Lambda::EventSourceMapping',
  Properties: {
    EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
    FunctionName: { Ref: fnId },
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 10,
    ...extra,
  },
});

const RESOURCES: Record<string, TemplateResource> = {
  Changes: table('changes'),
  OnChange: fn('on-change'),
  ChangesMapping: mapping('Changes', 'OnChange'),
  Flaky: table('flaky'),
  OnFlaky: fn('on-flaky'),
  FlakyMapping: mapping('Flaky', 'OnFlaky'),
  Filtered: table('filtered'),
  OnInsert: fn('on-insert'),
  FilteredMapping: mapping('Filtered', 'OnInsert', { FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] } }),
  Sparse: table('sparse'),
  OnSparse: fn('on-sparse'),
  SparseMapping: mapping('Sparse', 'OnSparse', { BatchSize: 3, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: 'match' }] } } } }) }] } }),
  Expiring: table('expiring', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
  Watched: table('watched'),
  OnWatched: fn('on-watched'),
  WatchedMapping: mapping('Watched', 'OnWatched'),
};
const resolver = createResolver({ template: { Resources: RESOURCES }, resources: RESOURCES }, { region: REGION, accountId: '000000000000', stackName: 'Test' });
const only = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, RESOURCES[id]!]));

/** Polls until `check` stops throwing (no fixed sleeps). */
const eventually = <T>(check: () => T | Promise<T>, timeout = 30000) => vi.waitFor(check, { timeout, interval: 50 });

type Invocation = { functionName: string; records: any[] };

describe('what DynamoDB Local lacks', () => {
  let ddb: DynamoDbLocal;
  let client: DynamoDBClient;
  const pollers: StreamPoller[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ddb-extras-'));

  const poll = async (resources: Record<string, TemplateResource>, invoke: (name: string, event: any) => Promise<unknown>) => {
    const logs: string[] = [];
    onTestFailed(() => console.log(`poller log:\n${logs.join('\n')}`));
    const poller = await startStreamPoller({
      dynamoDbEndpoint: ddb.endpoint, resources, resolver, invoke, dataDir, pollIntervalMs: 50, retryDelayMs: 20, log: (line) => logs.push(line),
    });
    pollers.push(poller);
    return poller;
  };
  const put = (tableName: string, item: Record<string, any>) => client.send(new PutItemCommand({ TableName: tableName, Item: item }));

  beforeAll(async () => {
    ddb = await startDynamoDbLocal({ port: 0 });
    client = new DynamoDBClient({ endpoint: ddb.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await createTablesFromTemplate(client, RESOURCES, resolver.resolve, () => {});
  });
  afterAll(async () => {
    for (const poller of pollers) await poller.stop();
    client?.destroy();
    await ddb?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('feeds a stream handler INSERT, MODIFY and REMOVE records in order, in Lambda’s event shape', async () => {
    const invocations: Invocation[] = [];
    await poll(only('Changes', 'OnChange', 'ChangesMapping'), async (functionName, event) => {
      invocations.push({ functionName, records: event.Records });
    });
    await put('changes', { pk: { S: 'a' }, n: { N: '1' }, blob: { B: Buffer.from('hi') } });
    await client.send(
      new UpdateItemCommand({ TableName: 'changes', Key: { pk: { S: 'a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }),
    );
    await client.send(new DeleteItemCommand({ TableName: 'changes', Key: { pk: { S: 'a' } } }));

    const records = await eventually(() => {
      const all = invocations.flatMap((i) => i.records);
      expect(all).toHaveLength(3);
      return all;
    });
    expect(invocations.every((i) => i.functionName === 'on-change')).toBe(true);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records;
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: expect.any(String),
      awsRegion: REGION,
      eventSourceARN: resolver.getAtt('Changes', 'StreamArn'),
      dynamodb: {
        Keys: { pk: { S: 'a' } },
        NewImage: { pk: { S: 'a' }, n: { N: '1' }, blob: { B: Buffer.from('hi').toString('base64') } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(typeof insert.eventID).toBe('string');
    expect(insert.dynamodb.OldImage).toBeUndefined();
    expect(modify.dynamodb).toMatchObject({ OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } });
    expect(remove.dynamodb).toMatchObject({ OldImage: { n: { N: '2' } } });
    expect(remove.dynamodb.NewImage).toBeUndefined();
  });

  it('retries a failed batch and moves its checkpoint only past batches that succeeded', async () => {
    const attempts: string[][] = [];
    const failing = await poll(only('Flaky', 'OnFlaky', 'FlakyMapping'), async (_name, event) => {
      attempts.push(event.Records.map((r: any) => r.dynamodb.Keys.pk.S));
      throw new Error('handler failed');
    });
    await put('flaky', { pk: { S: 'x' } });
    await eventually(() => expect(attempts.length).toBeGreaterThanOrEqual(3));
    await failing.stop();
    expect(attempts.every((keys) => keys.join() === 'x')).toBe(true);

    // a new poller over the same checkpoints starts again at the record that failed
    const delivered: string[][] = [];
    await poll(only('Flaky', 'OnFlaky', 'FlakyMapping'), async (_name, event) => {
      delivered.push(event.Records.map((r: any) => r.dynamodb.Keys.pk.S));
    });
    await eventually(() => expect(delivered).toEqual([['x']]));
    await put('flaky', { pk: { S: 'y' } });
    await eventually(() => expect(delivered).toEqual([['x'], ['y']]));
  });

  it('delivers only the records that match the mapping’s filter', async () => {
    const names: string[] = [];
    await poll(only('Filtered', 'OnInsert', 'FilteredMapping'), async (_name, event) => {
      names.push(...event.Records.map((r: any) => `${r.eventName} ${r.dynamodb.Keys.pk.S}`));
    });
    await put('filtered', { pk: { S: 'p' } });
    await put('filtered', { pk: { S: 'p' }, v: { N: '1' } });
    await put('filtered', { pk: { S: 'q' } });
    await eventually(() => expect(names).toEqual(['INSERT p', 'INSERT q']));
  });

  it('fills a batch with matching records however few of the stream\'s records match, as Lambda does', async () => {
    // one record in five matches: read BatchSize records at a time, a batch would hold one
    for (let i = 0; i < 30; i++) await put('sparse', { pk: { S: i % 5 === 4 ? `match-${i}` : `other-${i}` } });
    const batches: string[][] = [];
    await poll(only('Sparse', 'OnSparse', 'SparseMapping'), async (_name, event) => {
      batches.push(event.Records.map((r: any) => r.dynamodb.Keys.pk.S));
    });
    await eventually(() => expect(batches.flat()).toHaveLength(6));
    expect(batches).toEqual([['match-4', 'match-9', 'match-14'], ['match-19', 'match-24', 'match-29']]);
  });

  it('reads its streams afresh when the idle probe asks what is left: a write just made, then nothing once delivered', async () => {
    const delivered: string[] = [];
    const poller = await poll(only('Watched', 'OnWatched', 'WatchedMapping'), async (_name, event) => {
      delivered.push(...event.Records.map((r: any) => r.dynamodb.Keys.pk.S));
    });
    expect(await poller.pendingRecords()).toEqual([]);
    await put('watched', { pk: { S: 'w' } });
    // (DynamoDB Local may refuse the first read of a new shard: then the stream "could not be read", also not idle)
    expect(await poller.pendingRecords()).toEqual([expect.stringMatching(/^the stream of watched → on-watched (has records to deliver|could not be read)/)]);
    await until('the record delivered', async () => ((await poller.pendingRecords()).length === 0 ? true : undefined));
    expect(delivered).toEqual(['w']);
  });

  it('expires items whose TTL has passed on the local clock, and no others', async () => {
    const clock = createLocalClock();
    const nowSeconds = Math.floor(clock.now() / 1000);
    await put('expiring', { pk: { S: 'soon' }, expiresAt: { N: String(nowSeconds + 3_600) } });
    await put('expiring', { pk: { S: 'later' }, expiresAt: { N: String(nowSeconds + 30 * 86_400) } });
    await put('expiring', { pk: { S: 'never' } });
    const exists = async (pk: string) => (await client.send(new GetItemCommand({ TableName: 'expiring', Key: { pk: { S: pk } } }))).Item !== undefined;

    // a long interval: only the clock's advance triggers a sweep here
    const sweeper = startTtlSweeper({ client, clock, tables: ['expiring', 'changes'], intervalMs: 3_600_000 });
    try {
      await sweeper.sweep();
      expect(await exists('soon')).toBe(true);

      clock.advance(2 * 3_600);
      expect(sweeper.sweepOwed()).toBe(true);
      await eventually(async () => expect(await exists('soon')).toBe(false));
      await sweeper.sweep();
      expect(sweeper.sweepOwed()).toBe(false);
      expect(await exists('later')).toBe(true);
      expect(await exists('never')).toBe(true);
    } finally {
      await sweeper.stop();
    }
  });

  it('expires every expired item of a table that a timed sweep reads in many pages', async () => {
    const clock = createLocalClock();
    // timed sweeps every 100 ms, in short pages; no clock advance and no sweep() after the one at start
    const sweeper = startTtlSweeper({ client, clock, tables: ['expiring'], intervalMs: 100 });
    try {
      await sweeper.sweep();
      // they expire a few seconds from now, in real time: a timed sweep finds them, not the one at start
      const soon = String(Math.floor(clock.now() / 1000) + 3);
      const keys = Array.from({ length: 450 }, (_, n) => `paged-${n}`);
      for (let i = 0; i < keys.length; i += 25) {
        await client.send(new BatchWriteItemCommand({
          RequestItems: { expiring: keys.slice(i, i + 25).map((pk) => ({ PutRequest: { Item: { pk: { S: pk }, expiresAt: { N: soon } } } })) },
        }));
      }
      const left = async () => (await client.send(new ScanCommand({ TableName: 'expiring', FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 'paged-' } } }))).Items ?? [];
      await eventually(async () => expect(await left()).toEqual([]), 60_000);
    } finally {
      await sweeper.stop();
    }
  });
});
