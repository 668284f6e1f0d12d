import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ScanCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { LocalClock } from '../clock';

export interface TtlSweeperOptions {
  /** a client of DynamoDB Local (or of the edge) */
  client: DynamoDBClient;
  clock: LocalClock;
  tables: string[];
  log?: (line: string) => void;
  /** real time between sweeps; a clock advance sweeps at once. Default 10 s. */
  intervalMs?: number;
}

export interface TtlSweeper {
  /** Sweeps now (or joins the sweep under way, and sweeps once more after it) and resolves when it is done. */
  sweep(): Promise<void>;
  /**
   * A sweep something waits for is under way: the one at start, a clock advance's, or sweep()'s. A timed
   * sweep is background work, as AWS's own TTL deletes within days, not at once: it is not owed.
   */
  sweepOwed(): boolean;
  stop(): Promise<void>;
}

/** Timed sweeps are at least this many times their own length apart. */
const SWEEP_SPACING = 20;

// DynamoDB Local serves one request at a time, so a timed sweep reads the table in short pages: a 1 MB
// page of a big table held every other request back for as long as it took (the API's p99 during a
// launch). An owed sweep reads whole pages, to be done soonest.
const BACKGROUND_PAGE_ITEMS = 200;

// DynamoDB ignores TTL values more than five years in the past (they are taken for a unit mistake)
const IGNORED_AFTER_SECONDS = 5 * 365 * 24 * 3600;

/**
 * DynamoDB Local keeps TTL settings but never expires anything: this deletes, on the local clock, the
 * items of TTL-enabled tables whose TTL attribute (epoch seconds, a Number) has passed. Each delete is
 * conditional on the item still being expired, so a write that extended it wins. The deletions reach
 * the table's stream as REMOVE records, but without the `userIdentity` ({type: "Service",
 * principalId: "dynamodb.amazonaws.com"}) that marks TTL deletions on AWS: DynamoDB Local cannot set it.
 */
export function startTtlSweeper(opts: TtlSweeperOptions): TtlSweeper {
  const log = opts.log ?? (() => {});
  let running: Promise<void> | undefined;
  let again = false;
  let owed = false;
  let stopped = false;

  const sweepAll = async () => {
    for (const table of opts.tables) {
      try {
        const deleted = await sweepTable(opts.client, table, Math.floor(opts.clock.now() / 1000), () => (owed ? undefined : BACKGROUND_PAGE_ITEMS));
        if (deleted > 0) log(`TTL: deleted ${deleted} expired item(s) from ${table}`);
      } catch (error) {
        log(`TTL: sweeping ${table} failed: ${String(error)}`);
      }
    }
  };
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await sweepAll();
        } while (again && !stopped);
      } finally {
        running = undefined;
        owed = false;
      }
    })();
    return running;
  };
  const sweep = (): Promise<void> => {
    owed = true;
    return run();
  };

  // A sweep scans the whole table, so on a big table the next timed one waits in proportion to how long
  // the last took: sweeping stays a small share of DynamoDB Local's time whatever the table's size.
  let timer: NodeJS.Timeout | undefined;
  const sweepLater = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      const started = Date.now();
      void run().finally(() => sweepLater(Math.max(opts.intervalMs ?? 10_000, SWEEP_SPACING * (Date.now() - started))));
    }, delayMs);
    timer.unref();
  };
  sweepLater(opts.intervalMs ?? 10_000);
  const unsubscribe = opts.clock.onAdvance(() => void sweep());
  void sweep();
  return {
    sweep,
    sweepOwed: () => running !== undefined && owed,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await running;
    },
  };
}

async function sweepTable(client: DynamoDBClient, table: string, nowSeconds: number, pageItems: () => number | undefined): Promise<number> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  if (ttl?.TimeToLiveStatus !== 'ENABLED' || !ttl.AttributeName) return 0;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const keyNames = (Table?.KeySchema ?? []).map((k) => k.AttributeName!);
  const names = Object.fromEntries([ttl.AttributeName, ...keyNames].map((name, i) => [`#a${i}`, name]));
  const expired = { ':now': { N: String(nowSeconds) } };

  let deleted = 0;
  let startKey: Record<string, never> | undefined;
  do {
    // an admin job: a Scan is fine here, as it is nowhere on a request path
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: '#a0 BETWEEN :oldest AND :now',
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...expired, ':oldest': { N: String(nowSeconds - IGNORED_AFTER_SECONDS) } },
        ExclusiveStartKey: startKey,
        Limit: pageItems(),
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: Object.fromEntries(keyNames.map((k) => [k, item[k]!])),
            ConditionExpression: '#a0 <= :now',
            ExpressionAttributeNames: { '#a0': ttl.AttributeName },
            ExpressionAttributeValues: expired,
          }),
        );
        deleted++;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey as typeof startKey;
  } while (startKey);
  return deleted;
}
