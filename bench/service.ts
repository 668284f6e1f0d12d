import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalRuntime } from '../local/runtime';
import { MEASURE_TILES } from '../schemas/measures/tiles';
import { writeLeads } from '../test/integration/support/book';
import { onLocalRuntime } from './local-runtime';
import { countedGet, edgeRequestCounts, NoRequestCounter, tokenFor, untilQuiet } from './reads';
import { figure, fixed1, pad, padStart, progress, report, type Benchmark } from './support';

/**
 * The service benchmark: parts that each measure one thing on the same local runtime with the demo data,
 * one after another. A part is an entry of SERVICE_PARTS; add yours there.
 *  - measures: DynamoDB requests per dashboard tile, counted at the local edge as the foundation bench
 *    counts record reads, for each tile and each kind of reader (a rep's department, a manager's tree,
 *    finance's company tree, one's own work).
 *  - handover: a rep's book of HANDOVER_BENCH_ITEMS items (the demo rep's records and as many more leads,
 *    written straight into the table) handed to a colleague through POST /handovers; from the start to
 *    the handover's record reading completed, every item moved. handover-items-per-s = items / seconds.
 */
export interface ServicePart {
  name: string;
  measure(runtime: LocalRuntime): Promise<void>;
}

const HANDOVER_ITEMS = Number(process.env.HANDOVER_BENCH_ITEMS ?? 10_000);

// the API's JSON, read loosely: a benchmark, not a client
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
async function call(runtime: LocalRuntime, user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await runtime.tokenFor(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const handover: ServicePart = {
  name: 'handover',
  async measure(runtime) {
    const book = { fromUserId: 'u-sales', toUserId: 'u-north-manager' };
    const preview = await call(runtime, 'u-ops', 'POST', '/handovers/preview', book);
    const extra = Math.max(0, HANDOVER_ITEMS - Number(preview.body.total ?? 0));
    progress(`writing ${extra} leads into u-sales's book`);
    await writeLeads(runtime.dynamoDbEndpoint, runtime.tableName, { ownerId: book.fromUserId, departmentId: 'd-north' }, extra);
    const started = Date.now();
    const start = await call(runtime, 'u-ops', 'POST', '/handovers', book);
    if (start.status !== 202) throw new Error(`the handover did not start: ${start.status} ${JSON.stringify(start.body)}`);
    let last = '';
    for (;;) {
      const { status, body } = await call(runtime, 'u-ops', 'GET', `/handovers/${start.body.id}`);
      if (status !== 200) {
        progress(`reading the handover: ${status} ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 2_000));
        continue;
      }
      if (body.status === 'failed') throw new Error(`the handover failed: ${body.failure}`);
      if (body.status === 'completed') {
        const seconds = (Date.now() - started) / 1000;
        report(`handover of ${body.progress.total} items: ${body.progress.moved} moved, ${body.progress.notMoved} not, in ${fixed1(seconds)} s`);
        figure('handover-items-per-s', fixed1(body.progress.total / seconds), 'items/s');
        return;
      }
      const now = `${body.progress.moved} of ${body.progress.total} moved`;
      if (now !== last && Date.now() - started > 5_000) progress(now);
      last = now;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  },
};

const WARM_CALLS = 3;
const TARGET_REQUESTS_PER_TILE = 1;
/** a rep's department, a branch manager's tree, finance's company tree, and a rep's own work */
const READERS: { user: string; query: string }[] = [
  { user: 'u-sales', query: '' },
  { user: 'u-north-manager', query: '' },
  { user: 'u-finance', query: '&view=tree&departmentId=d-company' },
  { user: 'u-sales', query: '&view=own' },
  // customer care's manager: the team's tree, where the demo's tickets are measured
  { user: 'u-care-manager', query: '' },
];

async function measureTiles(runtime: LocalRuntime): Promise<void> {
  const counts = edgeRequestCounts(runtime.edgeUrl);
  const month = new Date().toISOString().slice(0, 7);
  // something on every reader's accounts tile: an order and its payment (the demo data's records are measured as it loads them)
  const events = new EventBridgeClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const erp = (detailType: string, detail: object) =>
    events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.erp', DetailType: detailType, Detail: JSON.stringify(detail) }] }));
  await erp('Order.Placed', { orderId: 'SO-BENCH', accountCode: 'NORDIC-DIST', placedAt: `${month}-01T08:00:00Z`, amount: { amountMinor: 100_00, currency: 'EUR' } });
  await untilQuiet(counts);
  await erp('Payment.Received', { paymentId: 'PAY-BENCH', accountCode: 'NORDIC-DIST', receivedAt: `${month}-02T08:00:00Z`, amount: { amountMinor: 100_00, currency: 'EUR' }, orderId: 'SO-BENCH' });
  await untilQuiet(counts);
  events.destroy();

  report(`DynamoDB requests per dashboard tile: the fewest of ${WARM_CALLS} warm calls after one cold call, counted at the local edge`);
  report(`${pad('request', 84)} ${pad('user', 16)} rows  requests  operations (cold call)`);
  let most: { label: string; user: string; requests: number } | undefined;
  for (const reader of READERS) {
    const token = await tokenFor(runtime.apiUrl, reader.user);
    for (const tile of MEASURE_TILES) {
      const url = `${runtime.apiUrl}/measures/tiles/${tile}?from=${month}${reader.query}`;
      const cold = await countedGet(url, token, counts);
      if (cold.status !== 200) throw new Error(`GET ${url} answered ${cold.status}: ${JSON.stringify(cold.body)}`);
      const warm = [];
      for (let i = 0; i < WARM_CALLS; i++) warm.push(await countedGet(url, token, counts));
      const best = warm.reduce((a, c) => (c.requests < a.requests ? c : a));
      const label = `GET /measures/tiles/${tile}?from=${month}${reader.query}`;
      const rows = ((best.body as { rows?: unknown[] }).rows ?? []).length;
      const ops = Object.entries(best.operations).map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
      report(`${pad(label, 84)} ${pad(reader.user, 16)} ${padStart(String(rows), 4)}  ${padStart(String(best.requests), 8)}  ${ops} (cold: ${cold.requests})`);
      if (!most || best.requests > most.requests) most = { label, user: reader.user, requests: best.requests };
    }
  }
  if (!most) return;
  figure('kpi-tile-ddb-requests-max', most.requests, most.requests === 1 ? 'request' : 'requests');
  report(`target: ${TARGET_REQUESTS_PER_TILE} DynamoDB request per tile -> ${most.requests <= TARGET_REQUESTS_PER_TILE ? 'met' : 'NOT met'} (most: ${most.label} as ${most.user})`);
}

const measures: ServicePart = {
  name: 'measures',
  async measure(runtime) {
    try {
      await measureTiles(runtime);
    } catch (error) {
      if (!(error instanceof NoRequestCounter)) throw error;
      report(`kpi-tile-ddb-requests-max not measured: ${error.message}`);
    }
  },
};

/** The parts, in the order they run: the tiles before the handover's 10,000 leads. */
export const SERVICE_PARTS: ServicePart[] = [measures, handover];

export const service: Benchmark = {
  name: 'service',
  description: 'the service figures: DynamoDB requests per dashboard tile (measures), and a work handover of a 10,000-item book (items per second)',
  async run() {
    await onLocalRuntime(async (runtime) => {
      for (const part of SERVICE_PARTS) {
        progress(`service: ${part.name}`);
        await part.measure(runtime);
      }
    });
  },
};
