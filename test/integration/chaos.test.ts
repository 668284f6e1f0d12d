import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAOS_PROCESS_NAMES, describeRun, runChaos, startChaosSession, type ChaosSession } from './support/chaos';

/**
 * Chaos, bounded: one seeded run of each business process (a promotion to its settlement, a claim, an
 * approval that escalates, a nurture enrolment with an open) on one runtime, killed with -9 once per run
 * at a point drawn from the seed and restarted on the same data, inbound events delivered three times
 * in a shuffled order. Nothing accepted may be lost and nothing may happen twice. `npm run bench --
 * chaos` runs more seeds (CHAOS_RUNS per process) and prints what each tried and what held.
 */
const SEED = Number(process.env.CHAOS_SEED ?? 20261205);
let session: ChaosSession;

beforeAll(async () => {
  session = await startChaosSession('tradeflow-chaos-test');
}, 240_000);
afterAll(async () => session?.stop());

describe('a business process with the runtime killed with -9 at a seeded point', () => {
  for (const [index, process] of CHAOS_PROCESS_NAMES.entries()) {
    it(`${process}: loses no accepted effect and doubles none`, async () => {
      const run = await runChaos(session, process, SEED + index);
      const report = describeRun(run).join('\n');
      expect(run.errors, report).toEqual([]);
      expect(run.lost, report).toEqual([]);
      expect(run.doubled, report).toEqual([]);
      expect(run.tried.some((t) => t.startsWith('killed with -9')), report).toBe(true);
    }, 300_000); // a whole life of the process, a kill and a cold restart of the runtime on a busy 2-core machine
  }
});
