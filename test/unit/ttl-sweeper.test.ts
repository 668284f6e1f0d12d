import { DescribeTableCommand, DescribeTimeToLiveCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LocalClock } from '../../local/clock';
import { startTtlSweeper } from '../../local/dynamodb/ttl-sweeper';

/** A table with TTL on whose every Scan (a sweep of it) takes `scanMs`, counting the sweeps and noting their page sizes. */
function tableWhoseSweepTakes(scanMs: number) {
  const sweeps = { count: 0, pageLimits: [] as (number | undefined)[] };
  const client = {
    send: async (command: unknown) => {
      if (command instanceof DescribeTimeToLiveCommand) return { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' } };
      if (command instanceof DescribeTableCommand) return { Table: { KeySchema: [{ AttributeName: 'pk' }, { AttributeName: 'sk' }] } };
      if (command instanceof ScanCommand) {
        sweeps.count++;
        sweeps.pageLimits.push(command.input.Limit);
        await new Promise((resolve) => setTimeout(resolve, scanMs));
        return { Items: [] };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as DynamoDBClient;
  return { client, sweeps };
}

const clock = { now: () => Date.now(), onAdvance: () => () => {} } as unknown as LocalClock;

/** A clock whose advances the test makes, as POST /_local/clock would. */
function advancingClock() {
  const listeners: (() => void)[] = [];
  return {
    clock: { now: () => Date.now(), onAdvance: (listener: () => void) => (listeners.push(listener), () => {}) } as unknown as LocalClock,
    advance: () => listeners.forEach((listener) => listener()),
  };
}

describe('the local TTL sweeper', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('sweeps a small table every interval', async () => {
    const { client, sweeps } = tableWhoseSweepTakes(10);
    const sweeper = startTtlSweeper({ client, clock, tables: ['crm'], intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(5_500);
    expect(sweeps.count).toBeGreaterThanOrEqual(5);
    await sweeper.stop();
  });

  it('spaces the sweeps of a big table by twenty times their length, so scanning it never keeps DynamoDB Local busy', async () => {
    const { client, sweeps } = tableWhoseSweepTakes(5_000);
    const sweeper = startTtlSweeper({ client, clock, tables: ['crm'], intervalMs: 1000 });
    // the first sweep (0 to 5 s), and the timed one that found it under way and swept once more after it (5 to 10 s)
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sweeps.count).toBe(2);
    // that timed sweep took 9 s from its timer: the next waits 180 s
    await vi.advanceTimersByTimeAsync(179_000);
    expect(sweeps.count).toBe(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sweeps.count).toBe(3);
    const stopping = sweeper.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
  });

  it('owes the sweeps at start and after a clock advance (read in whole pages) but not its timed ones (read in short pages)', async () => {
    const { client, sweeps } = tableWhoseSweepTakes(100);
    const { clock: advancing, advance } = advancingClock();
    const sweeper = startTtlSweeper({ client, clock: advancing, tables: ['crm'], intervalMs: 1000 });
    expect(sweeper.sweepOwed()).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(sweeps.pageLimits).toEqual([undefined]);
    expect(sweeper.sweepOwed()).toBe(false);

    // the timed sweep: under way, but nothing waits for it
    await vi.advanceTimersByTimeAsync(950);
    expect(sweeps.count).toBe(2);
    expect(sweeper.sweepOwed()).toBe(false);
    expect(sweeps.pageLimits[1]).toBeGreaterThan(0);

    // an advance during it is owed: the rest of this sweep and one more after it read whole pages
    advance();
    expect(sweeper.sweepOwed()).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    expect(sweeps.pageLimits).toEqual([undefined, sweeps.pageLimits[1], undefined]);
    expect(sweeper.sweepOwed()).toBe(false);
    const stopping = sweeper.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopping;
  });
});
