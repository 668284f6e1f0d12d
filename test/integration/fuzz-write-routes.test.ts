import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzCases, runFuzz, sample, writeRoutes } from './support/fuzz';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * Every write route of the catalogue, sent hostile bodies built from its own schema (a bounded,
 * repeatable sample per route; `npm run bench -- chaos` sends them all): no answer is a 5xx, and no
 * refused request leaves anything written.
 */
const CASES_PER_ROUTE = Number(process.env.FUZZ_CASES_PER_ROUTE ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
let crm: LocalCrm;

beforeAll(async () => {
  crm = await startLocalCrm();
});
afterAll(async () => crm?.stop());

const routes = writeRoutes();

it('covers the catalogue\'s write routes', () => {
  expect(routes.length).toBeGreaterThan(30);
});

// one test per route: each sends its own cases and checks the table after each
it.each(routes.map((route, i) => [`${route.method} ${route.path}`, route, i] as const))('%s answers hostile bodies with a 4xx, and a refused request writes nothing', async (_name, route, i) => {
  const all = fuzzCases(route, SEED + i);
  // the structural cases every route gets; the field-by-field ones sampled
  const cases = [...all.slice(0, 7), ...sample(all.slice(7), CASES_PER_ROUTE, SEED + i)];
  const outcome = await runFuzz({ ...crm, apiUrl: crm.runtime.apiUrl, token: await crm.runtime.tokenFor('u-admin') }, cases);
  expect(outcome.requests).toBe(cases.length);
  expect(outcome.serverErrors).toEqual([]);
  expect(outcome.partialWrites).toEqual([]);
});
