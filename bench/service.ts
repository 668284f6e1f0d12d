import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalRuntime } from '../local/runtime';
import { MEASURE_TILES } from '../schemas/measures/tiles';
import { onLocalRuntime } from './local-runtime';
import { countedGet, edgeRequestCounts, NoRequestCounter, tokenFor, untilQuiet } from './reads';
import { figure, pad, padStart, progress, report, type Benchmark } from './support';

/**
 * `npm run bench -- service`: the service domain's figures. Its measures part: DynamoDB requests per
 * dashboard tile, counted at the local edge as the foundation bench counts record reads, for each tile
 * and each kind of reader (a rep's department, a manager's tree, finance's company tree, one's own work).
 */

const WARM_CALLS = 3;
const TARGET_REQUESTS_PER_TILE = 1;
/** a rep's department, a branch manager's tree, finance's company tree, and a rep's own work */
const READERS: { user: string; query: string }[] = [
  { user: 'u-sales', query: '' },
  { user: 'u-north-manager', query: '' },
  { user: 'u-finance', query: '&view=tree&departmentId=d-company' },
  { user: 'u-sales', query: '&view=own' },
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

export const service: Benchmark = {
  name: 'service',
  description: 'DynamoDB requests per dashboard tile (measures)',
  async run() {
    await onLocalRuntime(async (runtime) => {
      progress('measures: DynamoDB requests per dashboard tile...');
      try {
        await measureTiles(runtime);
      } catch (error) {
        if (!(error instanceof NoRequestCounter)) throw error;
        report(`kpi-tile-ddb-requests-max not measured: ${error.message}`);
      }
    });
  },
};
