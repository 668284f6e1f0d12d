import { fuzzCases, runFuzz, writeRoutes } from '../test/integration/support/fuzz';
import { startLocalCrm } from '../test/integration/support/local-crm';
import { figure, progress, report, type Benchmark } from './support';

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);

/**
 * What holds under attack. Fuzz: every hostile body `test/integration/support/fuzz.ts` builds for every
 * write route of the catalogue (the suite sends a sample of them), counting 5xx answers and refused
 * requests that left something written.
 */
export const chaos: Benchmark = {
  name: 'chaos',
  description: 'fuzz every write route with hostile bodies: 5xx answers and partial writes',
  async run() {
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
  },
};
