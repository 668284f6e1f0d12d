import type { LocalRuntime } from '../local/runtime';
import { writeLeads } from '../test/integration/support/book';
import { onLocalRuntime } from './local-runtime';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * The service benchmark: parts that each measure one thing on the same local runtime with the demo data,
 * one after another. A part is an entry of SERVICE_PARTS; add yours there.
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

/** The parts, in the order they run. */
export const SERVICE_PARTS: ServicePart[] = [handover];

export const service: Benchmark = {
  name: 'service',
  description: 'the service figures: a work handover of a 10,000-item book (items per second)',
  async run() {
    await onLocalRuntime(async (runtime) => {
      for (const part of SERVICE_PARTS) {
        progress(`service: ${part.name}`);
        await part.measure(runtime);
      }
    });
  },
};
