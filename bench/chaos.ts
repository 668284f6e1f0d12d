import { CHAOS_PROCESS_NAMES, describeRun, runChaos, startChaosSession } from '../test/integration/support/chaos';
import { fuzzCases, runFuzz, writeRoutes } from '../test/integration/support/fuzz';
import { startLocalCrm } from '../test/integration/support/local-crm';
import { figure, progress, report, type Benchmark } from './support';

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const CHAOS_SEED = Number(process.env.CHAOS_SEED ?? SEED);
const CHAOS_RUNS = Number(process.env.CHAOS_RUNS ?? 3);

/**
 * What holds under attack. Chaos: CHAOS_RUNS seeded runs of each business process
 * (`test/integration/support/chaos.ts`), the runtime killed with -9 once per run and restarted on its
 * data, counting effects lost and doubled. Fuzz: every hostile body `test/integration/support/fuzz.ts`
 * builds for every write route of the catalogue (the suite sends a sample of them), counting 5xx
 * answers and refused requests that left something written.
 */
export const chaos: Benchmark = {
  name: 'chaos',
  description: 'kill -9 the runtime inside each business process (lost and doubled effects); fuzz every write route with hostile bodies (5xx answers and partial writes)',
  async run() {
    await runChaosRuns();
    await runFuzzCases();
  },
};

async function runChaosRuns() {
  const session = await startChaosSession('tradeflow-chaos-bench');
  let runs = 0;
  let lost = 0;
  let doubled = 0;
  let driverErrors = 0;
  try {
    for (let i = 0; i < CHAOS_RUNS; i++) {
      for (const [index, process] of CHAOS_PROCESS_NAMES.entries()) {
        const seed = CHAOS_SEED + i * CHAOS_PROCESS_NAMES.length + index;
        progress(`chaos: ${process}, seed ${seed}`);
        const run = await runChaos(session, process, seed);
        runs += 1;
        lost += run.lost.length;
        doubled += run.doubled.length;
        driverErrors += run.errors.length;
        for (const line of describeRun(run)) report(line);
      }
    }
  } finally {
    await session.stop();
  }
  report(`chaos: ${runs} runs (${CHAOS_RUNS} of each of ${CHAOS_PROCESS_NAMES.join(', ')}), ${driverErrors} driver errors`);
  figure('chaos-runs', runs, 'runs');
  figure('chaos-lost-effects', lost, 'effects');
  figure('chaos-doubled-effects', doubled, 'effects');
}

async function runFuzzCases() {
  const crm = await startLocalCrm();
  try {
    const routes = writeRoutes();
    const cases = routes.flatMap((route, i) => fuzzCases(route, SEED + i));
    progress(`fuzz: ${cases.length} hostile bodies on ${routes.length} write routes`);
    const outcome = await runFuzz({ ...crm, apiUrl: crm.runtime.apiUrl, token: await crm.runtime.tokenFor('u-admin') }, cases);
    report(`fuzz: ${outcome.requests} requests on ${routes.length} write routes, ${outcome.accepted} accepted`);
    for (const error of outcome.serverErrors) report(`5xx  ${error.status} ${error.case}: ${error.body.slice(0, 160)}`);
    for (const write of outcome.partialWrites) report(`partial write  ${write.status} ${write.case}: ${write.changed.slice(0, 3).join(', ')}`);
    figure('fuzz-requests', outcome.requests, 'requests');
    figure('fuzz-5xx', outcome.serverErrors.length, 'requests');
    figure('fuzz-partial-writes', outcome.partialWrites.length, 'requests');
  } finally {
    await crm.stop();
  }
}
