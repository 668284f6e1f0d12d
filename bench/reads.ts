import type { RouteSpec } from '../schemas/api/routes';
import { pad, padStart, report } from './support';

/**
 * DynamoDB requests per API read, against a running `npm start` with the demo data, counted from outside
 * at the local edge (`GET /_local/requests`: every DynamoDB request of a function goes through the edge).
 *
 * What counts as "a read": GET <list>/{id} behind the JWT authorizer where GET <list> is a route of the
 * catalogue too (GET /accounts/{id}, /promotions/{id}, /approval-policies/{id}, /nurture/sequences/{id}, ...):
 * it answers one record of a collection by its id. The other GET routes with one id in their path are
 * views that gather many items (/accounts/{id}/360, /funds/{id}/statement, /campaigns/{id}/report,
 * /approvals/{id}/audit, a lead's nurture timeline /nurture/leads/{id}): measured and shown, not counted in
 * the max. Lists and public pages are not reads of a record.
 */

type Route = Pick<RouteSpec, 'method' | 'path' | 'auth'>;

const isIdRead = (route: Route) => route.method === 'GET' && route.auth === 'jwt' && (route.path.match(/\{/g) ?? []).length === 1;
const listPaths = (routes: Route[]) =>
  new Set(routes.filter((r) => r.method === 'GET' && r.auth === 'jwt' && !r.path.includes('{')).map((r) => r.path));

/** GET <list>/{id} where GET <list> is a route too: the reads of one record, which the figure's max is over. */
export function recordReads<R extends Route>(routes: R[]): R[] {
  const lists = listPaths(routes);
  return routes.filter((r) => isIdRead(r) && /\/\{[^/}]+\}$/.test(r.path) && lists.has(r.path.slice(0, r.path.lastIndexOf('/'))));
}

/** The other GET routes with an id in their path: views of many items, measured as context. */
export function viewReads<R extends Route>(routes: R[]): R[] {
  const records = new Set(recordReads(routes));
  return routes.filter((r) => isIdRead(r) && !records.has(r));
}

/**
 * Where a read route's ids come from: the list at its path up to the parameter (GET /promotions for
 * /promotions/{id}), else the list named by that path's last segment (GET /leads for /nurture/leads/{id}).
 */
export function listPathFor(route: Route, routes: Route[]): string | undefined {
  const base = route.path.slice(0, route.path.indexOf('/{'));
  const lists = listPaths(routes);
  if (lists.has(base)) return base;
  const named = `/${base.split('/').pop()}`;
  return lists.has(named) ? named : undefined;
}

/** The ids an item of a list may be read by, most likely first: `id`, then its other `…Id` fields. */
export function idCandidates(item: Record<string, unknown>): string[] {
  const ids = Object.entries(item).filter(([key, value]) => typeof value === 'string' && (key === 'id' || /Id$/.test(key)))
    .sort(([a], [b]) => Number(b === 'id') - Number(a === 'id'))
    .map(([, value]) => value as string);
  return [...new Set(ids)];
}

export class NoRequestCounter extends Error {}

/** A demo user's ID token from the local issuer, by id or role. */
export const tokenFor = async (apiUrl: string, user: string) =>
  (await fetch(`${apiUrl}/_local/token?user=${encodeURIComponent(user)}&format=text`)).text();

interface Call {
  status: number;
  requests: number;
  operations: Record<string, number>;
}

/** The DynamoDB requests the local edge has counted so far, by operation (`GET /_local/requests`). */
export const edgeRequestCounts = (edgeUrl: string) => async (): Promise<Record<string, number>> => {
  const response = await fetch(`${edgeUrl}/_local/requests`);
  if (!response.ok) throw new NoRequestCounter(`${edgeUrl}/_local/requests answered ${response.status}: this runtime's edge counts no requests`);
  return ((await response.json()) as { dynamodb: Record<string, number> }).dynamodb;
};

/** One GET as `token`'s user, with the DynamoDB requests the edge counted while it ran. */
export async function countedGet(url: string, token: string, counts: () => Promise<Record<string, number>>): Promise<Call & { body: unknown }> {
  const before = await counts();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const after = await counts();
  const operations: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n > (before[op] ?? 0)) operations[op] = n - (before[op] ?? 0);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, requests: Object.values(operations).reduce((a, n) => a + n, 0), operations };
}

export interface ReadResult {
  label: string;
  user: string;
  /** in the figure's max (a record read), or context (a view) */
  record: boolean;
  requests?: number;
  cold?: number;
  operations?: Record<string, number>;
  skipped?: string;
}

const WARM_CALLS = 3;

/** Measures every read route for each user; prints a line per read; returns them all. */
export async function measureReads(apiUrl: string, edgeUrl: string, routes: Route[], users: string[]): Promise<ReadResult[]> {
  const counts = edgeRequestCounts(edgeUrl);
  await untilQuiet(counts);
  const results: ReadResult[] = [];
  const records = new Set(recordReads(routes));
  const reads = [...records, ...viewReads(routes)];
  report(`DynamoDB requests per API read: the fewest of ${WARM_CALLS} warm calls (other work in the runtime can only add), after one cold`);
  report('call (the first of this request, or of its function in this runtime); counted at the local edge');
  report(`${pad('request', 58)} ${pad('user', 6)} status  requests  operations (cold call)`);
  for (const user of users) {
    const token = await tokenFor(apiUrl, user);
    const get = (urlPath: string) => countedGet(`${apiUrl}${urlPath}`, token, counts);
    const lists = new Map<string, { status: number; items: Record<string, unknown>[] }>();
    for (const route of reads) {
      const record = records.has(route);
      const result: ReadResult = { label: `GET ${route.path}`, user, record };
      results.push(result);
      const listPath = listPathFor(route, routes);
      if (!listPath) {
        result.skipped = 'no list to take an id from';
      } else {
        if (!lists.has(listPath)) {
          const { status, body } = await get(listPath);
          lists.set(listPath, { status, items: ((body as { items?: unknown } | undefined)?.items as Record<string, unknown>[] | undefined) ?? [] });
        }
        const list = lists.get(listPath)!;
        const item = list.items.find((i) => idCandidates(i).length > 0);
        if (!item) result.skipped = list.status === 200 ? `GET ${listPath} has none for ${user}` : `GET ${listPath} answered ${list.status} for ${user}`;
        for (const id of item ? idCandidates(item).slice(0, 4) : []) {
          const urlPath = route.path.replace(/\{[^}]+\}/, encodeURIComponent(id));
          const cold = await get(urlPath);
          if (cold.status !== 200) {
            result.skipped ??= `GET ${urlPath} answered ${cold.status}`;
            continue;
          }
          const warm: Call[] = [];
          for (let i = 0; i < WARM_CALLS; i++) warm.push(await get(urlPath));
          // a request's own DynamoDB calls are the same each warm call; another's (a workflow running meanwhile) only add
          const requests = Math.min(...warm.map((c) => c.requests));
          Object.assign(result, { label: `GET ${urlPath}`, requests, cold: cold.requests, operations: warm.find((c) => c.requests === requests)!.operations, skipped: undefined });
          break;
        }
      }
      const ops = Object.entries(result.operations ?? {}).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
      report(result.requests === undefined
        ? `${pad(result.label, 58)} ${pad(user, 6)} skipped: ${result.skipped}`
        : `${pad(result.label, 58)} ${pad(user, 6)} ${padStart('200', 6)}  ${padStart(String(result.requests), 8)}  ${ops} (cold: ${result.cold})${record ? '' : '  view, not in the max'}`);
    }
  }
  return results;
}

/** Waits (up to 30 s) until the counts stand still for 2 s: the runtime's background work is done. */
export async function untilQuiet(counts: () => Promise<Record<string, number>>): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = JSON.stringify(await counts());
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const now = JSON.stringify(await counts());
    if (now === last) return;
    last = now;
  }
}
