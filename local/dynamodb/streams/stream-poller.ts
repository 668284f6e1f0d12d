import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import type { Resolver } from '../../assembly/cfn-intrinsics';
import { createCheckpointStore, type CheckpointStore } from './stream-checkpoints';
import { streamMappings, type StreamMapping } from './event-source-mappings';
import { toLambdaRecord, type LambdaStreamRecord } from './stream-records';

export interface StreamPollerOptions {
  /** DynamoDB Local itself: its streams API is not behind the edge */
  dynamoDbEndpoint: string;
  resources: Record<string, TemplateResource>;
  resolver: Pick<Resolver, 'resolve'>;
  /** invokes a function by name or ARN; rejects when the invocation fails */
  invoke(functionArnOrName: string, event: unknown): Promise<unknown>;
  /** checkpoints persist in `<dataDir>/stream-checkpoints.json`; undefined keeps them in memory */
  dataDir?: string;
  log?: (line: string) => void;
  /**
   * real time between two reads of a stream, busy or idle, except while a page is being delivered.
   * Default 250 ms (Lambda polls four times a second).
   */
  pollIntervalMs?: number;
  /** the first retry's delay after a failed batch, doubled for each next one up to 20 s. Default 500 ms. */
  retryDelayMs?: number;
}

export interface StreamPoller {
  /**
   * Has every mapping read its stream afresh (a poll that starts after this call) and resolves with
   * the mappings that found records to deliver, or were still delivering; empty when nothing is left.
   */
  pendingRecords(): Promise<string[]>;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const MAX_RETRY_DELAY_MS = 20_000;
/** GetRecords' own maximum */
const GET_RECORDS_LIMIT = 1000;

interface ShardState {
  id: string;
  parentId?: string;
  checkpointKey: string;
  /** the shard existed when the poller started, so StartingPosition LATEST applies to it */
  initial: boolean;
  iterator?: string;
  /** the matching records of the page being delivered, oldest first */
  pending: LambdaStreamRecord[];
  /** the last sequence number of that page (filtered-out records included): the checkpoint once it is delivered */
  pageEnd?: string;
  /** DescribeStream shows an EndingSequenceNumber: no records will be added */
  ended: boolean;
  closed: boolean;
  finished: boolean;
  failures: number;
  batchLimit: number;
}

/**
 * Lambda's event source mappings for DynamoDB streams, which DynamoDB Local lacks: for each
 * AWS::Lambda::EventSourceMapping on a table's stream, polls the streams API of DynamoDB Local and
 * invokes the function with Lambda's stream event. Delivery is at least once, in order per shard:
 * a checkpoint (per shard, persisted) moves only past batches that succeeded, and a failed batch is
 * retried (MaximumRetryAttempts, BisectBatchOnFunctionError and ReportBatchItemFailures honoured).
 * A batch that exhausts its retries is dropped with a log line (no OnFailure destination locally).
 */
export async function startStreamPoller(opts: StreamPollerOptions): Promise<StreamPoller> {
  const log = opts.log ?? (() => {});
  const clientConfig = { endpoint: opts.dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const checkpoints = createCheckpointStore(opts.dataDir && path.join(opts.dataDir, 'stream-checkpoints.json'));
  const abort = new AbortController();
  const deps: Deps = { opts, log, streams, checkpoints, signal: abort.signal };

  const loops: MappingLoop[] = [];
  const running: Promise<void>[] = [];
  const stop = async () => {
    abort.abort();
    await Promise.all(running);
    for (const loop of loops) for (const watch of loop.watchers) watch(Infinity, 'quiet');
    streams.destroy();
  };
  try {
    for (const mapping of streamMappings(opts.resources, opts.resolver, log)) {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: mapping.tableName }));
      if (!Table?.LatestStreamArn) {
        log(`streams: ${mapping.logicalId} reads table ${mapping.tableName}, which has no stream`);
        continue;
      }
      log(`streams: ${mapping.tableName} → ${mapping.functionName} (batch ${mapping.batchSize}, ${mapping.startingPosition})`);
      const loop: MappingLoop = { name: `${mapping.tableName} → ${mapping.functionName}`, rounds: 0, watchers: new Set(), wake: () => {} };
      loops.push(loop);
      running.push(pollMapping(deps, mapping, Table.LatestStreamArn, loop));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    dynamodb.destroy();
  }
  const pendingRecords = async () => {
    const found = await Promise.all(loops.map((loop) => new Promise<string[]>((resolve) => {
      if (abort.signal.aborted) return resolve([]);
      const after = loop.rounds;
      const watch = (round: number, found: PollOutcome) => {
        if (round <= after) return;
        loop.watchers.delete(watch);
        if (found === 'records') resolve([`the stream of ${loop.name} has records to deliver`]);
        else if (found === 'failed') resolve([`the stream of ${loop.name} could not be read (the log says why)`]);
        else resolve([]);
      };
      loop.watchers.add(watch);
      loop.wake();
    })));
    return found.flat();
  };
  return { pendingRecords, stop };
}

type PollOutcome = 'quiet' | 'records' | 'failed';

/** One mapping's polling, as pendingRecords() watches it. */
interface MappingLoop {
  name: string;
  /** polls started so far (a poll lists the shards and reads or delivers each one) */
  rounds: number;
  /** told when each poll ends, and what it found */
  watchers: Set<(round: number, found: PollOutcome) => void>;
  /** ends the pause between two polls now */
  wake(): void;
}

interface Deps {
  opts: StreamPollerOptions;
  log: (line: string) => void;
  streams: DynamoDBStreamsClient;
  checkpoints: CheckpointStore;
  signal: AbortSignal;
}

/** some shard has records of a page read earlier still to deliver */
const holdsPage = (shards: Map<string, ShardState>) => [...shards.values()].some((s) => s.pending.length > 0);

async function pollMapping(deps: Deps, mapping: StreamMapping, streamArn: string, loop: MappingLoop): Promise<void> {
  const shards = new Map<string, ShardState>();
  let first = true;
  const interval = deps.opts.pollIntervalMs ?? 250;
  let lastRead = 0;
  while (!deps.signal.aborted) {
    const round = ++loop.rounds;
    let busy = false;
    let failed = false;
    // a round that only delivers a page in hand reads nothing, so it needs no new list of shards either
    const reading = !holdsPage(shards);
    try {
      if (reading) {
        lastRead = Date.now();
        refreshShards(deps, mapping, streamArn, shards, await listShards(deps.streams, streamArn), first);
        first = false;
      }
      // a child shard waits until its parent is read to the end, which keeps each key's records in order
      const ready = [...shards.values()].filter((s) => !s.finished && !(s.parentId && shards.get(s.parentId)?.finished === false));
      for (const shard of ready) {
        if (deps.signal.aborted) break;
        busy = (await pollShard(deps, mapping, streamArn, shard)) || busy;
      }
    } catch (error) {
      failed = true;
      if (!deps.signal.aborted) deps.log(`streams: polling ${mapping.tableName} for ${mapping.functionName} failed: ${String(error)}`);
    }
    for (const watch of loop.watchers) watch(round, failed ? 'failed' : busy ? 'records' : 'quiet');
    // A page in hand is delivered batch after batch at once; the next read waits for its turn, busy or not,
    // as Lambda's: reading again as soon as a page was delivered, during a launch each mapping read pages
    // of a few records as fast as DynamoDB Local answered, more requests than the launch's own writes.
    // A watcher left came during this poll: it waits for the next one, so that one starts now.
    const pause = holdsPage(shards) ? 0 : lastRead + interval - Date.now();
    if (pause > 0 && loop.watchers.size === 0) {
      const woken = new AbortController();
      loop.wake = () => woken.abort();
      await sleep(pause, AbortSignal.any([deps.signal, woken.signal]));
      loop.wake = () => {};
    }
  }
}

function refreshShards(deps: Deps, mapping: StreamMapping, streamArn: string, states: Map<string, ShardState>, listed: Shard[], initial: boolean): void {
  const ids = new Set(listed.map((s) => s.ShardId!));
  // a shard the stream no longer lists has expired; one with records in hand is finished first
  for (const [id, state] of states) if (!ids.has(id) && state.pending.length === 0) states.delete(id);
  for (const shard of listed) {
    const known = states.get(shard.ShardId!);
    const ended = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    if (known) {
      known.ended = ended;
      continue;
    }
    const checkpointKey = `${mapping.logicalId} ${streamArn} ${shard.ShardId}`;
    states.set(shard.ShardId!, {
      id: shard.ShardId!,
      parentId: shard.ParentShardId,
      checkpointKey,
      initial,
      pending: [],
      ended,
      closed: false,
      finished: deps.checkpoints.get(checkpointKey)?.finished === true,
      failures: 0,
      batchLimit: mapping.batchSize,
    });
  }
}

async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
    shards.push(...(StreamDescription?.Shards ?? []));
    start = StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

/** Reads a page or delivers a batch of one shard; resolves true when there was something to do. */
async function pollShard(deps: Deps, mapping: StreamMapping, streamArn: string, shard: ShardState): Promise<boolean> {
  if (shard.pending.length > 0) {
    await deliver(deps, mapping, shard);
    return true;
  }
  if (shard.closed) {
    shard.finished = true;
    deps.checkpoints.set(shard.checkpointKey, { ...deps.checkpoints.get(shard.checkpointKey), finished: true });
    return false;
  }
  shard.iterator ??= await shardIterator(deps, mapping, streamArn, shard);
  let page;
  try {
    // a whole page, filtered, then delivered batchSize at a time: Lambda fills a batch with matching records,
    // so a mapping whose filter matches one record in twenty still gets full batches
    page = await deps.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: GET_RECORDS_LIMIT }));
  } catch (error) {
    // everything read so far is checkpointed: the next poll starts again from there
    shard.iterator = undefined;
    if (error instanceof ExpiredIteratorException) return true;
    throw error;
  }
  const records = (page.Records ?? []).map((r) => toLambdaRecord(r, mapping.eventSourceArn, mapping.region));
  shard.iterator = page.NextShardIterator;
  // DynamoDB Local sometimes omits NextShardIterator for a shard that is still open (and keeps giving one
  // for a closed shard), so only a shard DescribeStream shows ended counts as read to its end
  shard.closed = shard.ended && (page.NextShardIterator === undefined || records.length === 0);
  if (records.length === 0) return false;
  shard.pending = records.filter((r) => mapping.filters.length === 0 || mapping.filters.some((matches) => matches(r)));
  shard.pageEnd = records.at(-1)!.dynamodb.SequenceNumber;
  if (shard.pending.length === 0) checkpoint(deps, shard, shard.pageEnd);
  return true;
}

async function shardIterator(deps: Deps, mapping: StreamMapping, streamArn: string, shard: ShardState): Promise<string | undefined> {
  const after = deps.checkpoints.get(shard.checkpointKey)?.sequenceNumber;
  const get = async (type: ShardIteratorType, sequenceNumber?: string) =>
    (
      await deps.streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
      )
    ).ShardIterator;
  if (after) {
    try {
      return await get('AFTER_SEQUENCE_NUMBER', after);
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      deps.log(`streams: records after ${after} in ${shard.id} expired; reading ${mapping.tableName} from the oldest one left`);
    }
  }
  return get(mapping.startingPosition === 'LATEST' && shard.initial && !after ? 'LATEST' : 'TRIM_HORIZON');
}

function checkpoint(deps: Deps, shard: ShardState, sequenceNumber: string): void {
  deps.checkpoints.set(shard.checkpointKey, { sequenceNumber });
}

/** Invokes the function with the next batch; moves the checkpoint past what succeeded; schedules a retry for the rest. */
async function deliver(deps: Deps, mapping: StreamMapping, shard: ShardState): Promise<void> {
  const batch = shard.pending.slice(0, shard.batchLimit);
  let failedAt = -1;
  let reason = '';
  try {
    const result = await deps.opts.invoke(mapping.functionName, { Records: batch });
    if (mapping.reportBatchItemFailures) failedAt = firstReportedFailure(result, batch);
    if (failedAt >= 0) reason = `the function reported record ${batch[failedAt]!.dynamodb.SequenceNumber} failed`;
  } catch (error) {
    failedAt = 0;
    reason = String(error);
  }

  const consume = (count: number) => {
    const consumed = shard.pending.splice(0, count);
    checkpoint(deps, shard, shard.pending.length > 0 ? consumed.at(-1)!.dynamodb.SequenceNumber : shard.pageEnd!);
  };
  if (failedAt === -1) {
    consume(batch.length);
    shard.failures = 0;
    shard.batchLimit = mapping.batchSize;
    return;
  }
  if (failedAt > 0) consume(failedAt);
  const failing = batch.length - failedAt;
  if (mapping.bisectBatchOnFunctionError && failing > 1) {
    // bisecting does not count against the retry attempts
    shard.batchLimit = Math.ceil(failing / 2);
    deps.log(`streams: ${mapping.functionName} failed a batch of ${failing} from ${mapping.tableName} (${reason}); retrying its first half`);
    return;
  }
  shard.failures++;
  if (mapping.maximumRetryAttempts >= 0 && shard.failures > mapping.maximumRetryAttempts) {
    deps.log(`streams: ${mapping.functionName} failed ${shard.failures} times on ${failing} record(s) from ${mapping.tableName} (${reason}); dropped them`);
    consume(failing);
    shard.failures = 0;
    shard.batchLimit = mapping.batchSize;
    return;
  }
  deps.log(`streams: ${mapping.functionName} failed on ${failing} record(s) from ${mapping.tableName} (${reason}); retry ${shard.failures}`);
  await sleep(Math.min((deps.opts.retryDelayMs ?? 500) * 2 ** (shard.failures - 1), MAX_RETRY_DELAY_MS), deps.signal);
}

/** With ReportBatchItemFailures: the index of the first record the function named in `batchItemFailures`, -1 if none. */
function firstReportedFailure(result: unknown, batch: LambdaStreamRecord[]): number {
  const failures = (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return -1;
  const indexes = failures.map((f) => batch.findIndex((r) => r.dynamodb.SequenceNumber === f?.itemIdentifier));
  // an identifier that names no record of the batch fails the whole batch, as on AWS
  return indexes.includes(-1) ? 0 : Math.min(...indexes);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
