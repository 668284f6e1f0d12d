import '../local/quiet-sdk-warning';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime } from '../local/runtime';
import { seedDemoData } from '../local/seed/demo-data';
import { synthesize } from '../local/synth';
import type { NurtureSequenceInput } from '../schemas/nurture/sequence';
import { untilIdle } from '../test/integration/support/until';
import { CEILING_ROUNDS, CEILING_S, TX_ITEMS, WARM_UP_S, ceilingRate, rate, transactionCost } from './ddb-local-rates';
import { figure, fixed1, median, progress, report, type Benchmark } from './support';

/**
 * The nurture benchmark, on the whole local runtime, in one run:
 *  0. the machine's ceiling: DynamoDB Local's own rate for a two-item conditional TransactWriteItems
 *     (and for a ten-item one and a plain PutItem) on the runtime's table, straight to DynamoDB Local,
 *     warmed up, before the launch, the best of three rounds; with the launch's writes it gives the bound DynamoDB Local alone puts
 *     on enrolments per second;
 *  a. state transitions per nurture step: one lead through mail, wait, mail, end (history of its execution);
 *  b. a launch: N Lead.Captured events put on the bus at once (NURTURE_BENCH_LEADS, default 10,000),
 *     timed until the sequence counts N enrolments, then until each lead's first mail went (a launch not
 *     done within NURTURE_BENCH_SECONDS, default 900, reports what it reached). Meanwhile another user
 *     reads an account every 200 ms (the API's p99 during the launch) and the process's resident memory is
 *     sampled (functions run as worker threads in it; DynamoDB Local's JVM is a process of its own).
 *     Table requests are counted at the edge from the first capture until the runtime is idle again (every
 *     lead waiting after its first mail), less what the bench's own reads cost. A TransactWriteItems counts
 *     as one request (and one write); its items are reported beside it.
 *  c. the cost of 10,000 enrolments at AWS list prices (below).
 */
const LEADS = Number(process.env.NURTURE_BENCH_LEADS ?? 10_000);
const DEADLINE_S = Number(process.env.NURTURE_BENCH_SECONDS ?? 900);
/**
 * AWS list prices, us-east-1, taken on 2026-12-05 (from the published on-demand prices: DynamoDB's since
 * its November 2024 cut; not checked against the live pricing pages that day). Free tiers left out.
 */
const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000) */
  transition: 0.025 / 1000,
  /** Lambda, per request ($0.20 per million) and per GB-second on arm64 */
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  /** DynamoDB on-demand, per write request unit ($0.625 per million) and read request unit ($0.125 per million) */
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
};

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'];

/** Request units of counted requests, items of 1 KB at most: a transactional item costs two, a consistent read one. */
function requestUnits(c: Record<string, number>) {
  const n = (k: string) => c[k] ?? 0;
  return {
    wru: n('PutItem') + n('UpdateItem') + n('DeleteItem') + 2 * n('TransactWriteItems.items') + n('BatchWriteItem.items'),
    rru: n('GetItem') + n('Query') + n('Scan') + n('BatchGetItem.items') + 2 * n('TransactGetItems.items'),
  };
}

const minus = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => Number(v) !== 0)) as Record<string, number>;
const p99 = (sorted: number[]) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
const total = (c: Record<string, number>, only?: string[]) =>
  Object.entries(c).filter(([k]) => !k.endsWith('.items') && (!only || only.includes(k))).reduce((sum, [, v]) => sum + v, 0);

/** A sequence of mail, wait, mail for leads captured by one form (the foundation benchmark adds one as a draft). */
export const sequence = (id: string, formId: string): NurtureSequenceInput => ({
  id, name: `Bench ${id}`, reentry: 'never', defaultTimeZone: 'UTC',
  // any day, any hour: the benchmark measures the engine, not the calendar
  sendWindow: { id: 'always', name: 'Always', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], workingHours: { start: '00:00', end: '23:59' }, holidays: [] },
  trigger: { event: 'Lead.Captured', eventCondition: { field: 'formId', op: 'eq', value: formId }, assignCapturedLeadsTo: 'u-sales' },
  steps: [
    { id: 'hello', type: 'send-mail', template: 'nurture-welcome' },
    { id: 'hold', type: 'wait', duration: { amount: 1, unit: 'days' }, withinSendWindow: false },
    { id: 'again', type: 'send-mail', template: 'nurture-follow-up' },
    { id: 'done', type: 'end' },
  ],
});

export const nurture: Benchmark = {
  name: 'nurture',
  description: 'nurture engine: a launch\'s enrolments per second against DynamoDB Local\'s ceiling, table requests per enrolment, transitions, memory, API latency, cost',
  async run() {
    await synthesize();
    const runtime = await startLocalRuntime({ ports: { api: 0, edge: 0, dynamodb: 0 } });
    const config = { endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const events = new EventBridgeClient(config);
    const sfn = new SFNClient(config);
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    try {
      await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
      const tokens = new Map<string, string>();
      const call = async (user: string, path: string, body?: unknown) => {
        const token = tokens.get(user) ?? tokens.set(user, await runtime.tokenFor(user)).get(user)!;
        const response = await fetch(`${runtime.apiUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const parsed = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers read by field
        if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
        return parsed;
      };
      const api = (path: string, body?: unknown) => call('u-marketing', path, body);
      const launch = async (id: string, formId: string) => {
        await api('/nurture/sequences', sequence(id, formId));
        await api(`/nurture/sequences/${id}/lifecycle`, { action: 'activate' });
      };
      const capture = (formId: string, n: number) => ({
        EventBusName: 'crm', Source: 'ext.web-forms', DetailType: 'Lead.Captured',
        Detail: JSON.stringify({ formId, capturedAt: new Date().toISOString(), firstName: 'Bench', lastName: `L${n}`, email: `bench-${formId}-${n}@example.com`, consent: { marketing: true } }),
      });
      const stats = async (id: string) => (await api(`/nurture/sequences/${id}`)).stats as Record<string, number>;

      // 0. the ceiling, once the demo data's own work is done and DynamoDB Local's JVM has compiled its hot
      // paths (a cold one measured a third of it; one measured beside the demo data's events, three quarters)
      const transaction = (tag: string, items: number) => (n: number) => table.send(new TransactWriteCommand({
        TransactItems: Array.from({ length: items }, (_, side) => ({
          Put: { TableName: runtime.tableName, Item: { pk: `BENCH_CEILING#${tag}#${n}`, sk: String(side) }, ConditionExpression: 'attribute_not_exists(pk)' },
        })),
      }));
      await untilIdle(runtime.edgeUrl);
      await rate(transaction('warm', 2), WARM_UP_S);
      const ceilingTx = await ceilingRate(transaction('tx', 2));
      const ceilingTx10 = await ceilingRate(transaction('tx10', TX_ITEMS));
      const ceilingPut = await ceilingRate((n) => table.send(new PutCommand({ TableName: runtime.tableName, Item: { pk: `BENCH_CEILING#put#${n}`, sk: 'PUT' } })));
      report(`DynamoDB Local alone: ${fixed1(ceilingTx)} two-item conditional transactions/s, ${fixed1(ceilingTx10)} of ${TX_ITEMS} items, ${fixed1(ceilingPut)} puts/s (4 at a time, the best of ${CEILING_ROUNDS} rounds of ${CEILING_S} s each)`);
      figure('ddb-local-tx-per-s', fixed1(ceilingTx), 'transactions/s');
      const txCost = transactionCost(ceilingTx, ceilingTx10);
      report(`so a transaction holds DynamoDB Local ${fixed1(txCost.perRequestMs)} ms, plus ${fixed1(txCost.perItemMs)} ms for each of its items`);

      // a. one lead, every step
      await launch('bench-one', 'bench-one');
      await events.send(new PutEventsCommand({ Entries: [capture('bench-one', 0)] }));
      const machine = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:tradeflow-nurture`;
      const runs = async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine }))).executions ?? [];
      for (let i = 0; i < 300 && (await runs()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const entered = async () => {
        const [run] = await runs();
        const { events: so = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: run!.executionArn, maxResults: 1000 }));
        return so.some((e) => e.type === 'WaitStateEntered');
      };
      // the wait's end is computed when its step runs: pass the day only once it waits
      for (let i = 0; i < 300 && !(await entered()); i++) await new Promise((r) => setTimeout(r, 100));
      await fetch(`${runtime.edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 2 * 86_400 }) });
      let [execution] = await runs();
      for (let i = 0; i < 300 && execution?.status === 'RUNNING'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        [execution] = await runs();
      }
      const { events: history = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution!.executionArn, maxResults: 1000 }));
      const transitions = history.filter((e) => String(e.type).endsWith('StateEntered')).length;
      const steps = sequence('x', 'x').steps.length;
      report(`one enrolment, ${steps} steps (mail, wait, mail, end): ${transitions} states entered, execution ${execution!.status}`);
      figure('transitions-per-nurture-step', fixed1(transitions / steps), 'transitions');

      // b. a launch, watched by marketing while a rep reads an account
      await launch('bench-launch', 'bench-launch');
      const account = (await call('u-sales-south', '/accounts', { code: 'BENCH-OUTLET', name: 'Bench Outlet', channelType: 'retail-outlet', tier: 'standard', status: 'active', region: 'South', city: 'Seville' })) as { id: string };
      await untilIdle(runtime.edgeUrl);
      // what the bench's own reads cost, to leave them out of the engine's count
      const costOf = async (read: () => Promise<unknown>) => {
        const before = runtime.edgeRequestCounts();
        await read();
        return minus(runtime.edgeRequestCounts(), before);
      };
      const probeCost = await costOf(() => call('u-sales-south', `/accounts/${account.id}`));
      const statsCost = await costOf(() => stats('bench-launch'));
      const countsBefore = runtime.edgeRequestCounts();
      const invocationsBefore = runtime.lambdaInvocations();
      let peak = { rss: process.memoryUsage().rss, heapTotal: process.memoryUsage().heapTotal, warm: runtime.warmFunctions(), at: Date.now(), enrolled: 0 };
      let enrolledSoFar = 0;
      const sampler = setInterval(() => {
        const { rss, heapTotal } = process.memoryUsage();
        if (rss > peak.rss) peak = { rss, heapTotal, warm: runtime.warmFunctions(), at: Date.now(), enrolled: enrolledSoFar };
      }, 250);
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const latencies: number[] = [];
      const failedReads: string[] = [];
      let probing = true;
      // a failed read is a figure of the launch, not the end of the run
      const prober = (async () => {
        while (probing) {
          const started = performance.now();
          try {
            await call('u-sales-south', `/accounts/${account.id}`);
            latencies.push(performance.now() - started);
          } catch (error) {
            failedReads.push((error as Error).message);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      // the same kind of read straight to DynamoDB Local, to tell its queue from ours
      const tableLatencies: number[] = [];
      const tableProber = (async () => {
        while (probing) {
          const started = performance.now();
          await table.send(new GetCommand({ TableName: runtime.tableName, Key: { pk: 'BENCH_CEILING#put#0', sk: 'PUT' } }));
          tableLatencies.push(performance.now() - started);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      let statsReads = 0;
      const started = Date.now();
      const elapsed = () => (Date.now() - started) / 1000;
      progress(`putting ${LEADS} Lead.Captured events`);
      const entries = Array.from({ length: LEADS }, (_, n) => capture('bench-launch', n));
      for (let i = 0; i < entries.length; i += 10) await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      let figures: Record<string, number> = {};
      let enrolSeconds: number | undefined;
      while (elapsed() < DEADLINE_S) {
        figures = await stats('bench-launch');
        enrolledSoFar = Number(figures.enrolled);
        statsReads++;
        if (enrolSeconds === undefined && figures.enrolled! >= LEADS) enrolSeconds = elapsed();
        progress(`after ${Math.round(elapsed())} s: captured ${figures.captured}, enrolled ${figures.enrolled}, waiting for the window ${figures.waitingForWindow}, sent ${figures.sent}`);
        if (figures.sent! >= LEADS) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const mailSeconds = elapsed();
      probing = false;
      await prober;
      await tableProber;
      if (figures.sent! >= LEADS) await untilIdle(runtime.edgeUrl, undefined, 600_000);
      clearInterval(sampler);
      loopDelay.disable();
      const enrolled = Number(figures.enrolled);
      // a failed read's table requests, if it made any, stay in the count
      const ownReads = Object.fromEntries(Object.keys({ ...probeCost, ...statsCost }).map((k) => [k, (probeCost[k] ?? 0) * latencies.length + (statsCost[k] ?? 0) * statsReads]));
      const counted = minus(minus(runtime.edgeRequestCounts(), countsBefore), ownReads);
      const invocations = Object.entries(runtime.lambdaInvocations()).map(([name, c]) => {
        const before = invocationsBefore[name] ?? { count: 0, ms: 0 };
        return { name, count: c.count - before.count, ms: c.ms - before.ms, memorySize: c.memorySize };
      }).filter((c) => c.count > 0);

      const seconds = enrolSeconds ?? elapsed();
      report(`${enrolled} of ${LEADS} leads enrolled in ${fixed1(seconds)} s; ${figures.sent} first mails sent after ${fixed1(mailSeconds)} s${figures.sent! < LEADS ? ` (stopped at the ${DEADLINE_S} s limit)` : ''}`);
      report(`table requests from the first capture to the last first mail (bench's own reads left out): ${JSON.stringify(counted)}`);
      report(`function invocations: ${invocations.map((c) => `${c.name} ${c.count}`).join(', ')}`);
      const enrolmentsPerS = enrolled / seconds;
      figure('enrolments-per-s', fixed1(enrolmentsPerS), 'enrolments/s');
      figure('enrolments-per-ddb-local-tx', (enrolmentsPerS / ceilingTx).toFixed(2), 'enrolments per transaction of the ceiling');
      figure('first-mails-per-s', fixed1(Number(figures.sent) / mailSeconds), 'mails/s');
      figure('ddb-requests-per-enrolment', fixed1(total(counted) / enrolled), 'requests');
      figure('ddb-writes-per-enrolment', fixed1(total(counted, WRITES) / enrolled), 'write requests');
      const transactionsEach = (counted.TransactWriteItems ?? 0) / enrolled;
      const itemsEach = (counted['TransactWriteItems.items'] ?? 0) / enrolled;
      report(`of which TransactWriteItems: ${fixed1(transactionsEach)} per enrolment, with ${fixed1(itemsEach)} items`);
      // what DynamoDB Local alone allows for those writes, reads aside: the engine's code taken as free
      const writesMs = transactionsEach * txCost.perRequestMs + itemsEach * txCost.perItemMs;
      report(`those transactions hold DynamoDB Local ${fixed1(writesMs)} ms an enrolment: alone, at most ${fixed1(1000 / writesMs)} enrolments/s (this launch: ${Math.round((100 * enrolmentsPerS * writesMs) / 1000)}% of it)`);
      figure('ddb-local-bound-enrolments-per-s', fixed1(1000 / writesMs), 'enrolments/s');
      report(`so these writes alone cap enrolments-per-ddb-local-tx at ${(1000 / writesMs / ceilingTx).toFixed(2)}, before the launch's reads and the runtime's own work`);
      figure('runtime-rss-mb', Math.round(peak.rss / 1024 / 1024), 'MB');
      report(`at the peak (${Math.round((peak.at - started) / 1000)} s into the launch, ${peak.enrolled} enrolled): the main thread's heap ${Math.round(peak.heapTotal / 1024 / 1024)} MB, ${peak.warm.length} warm function workers (${peak.warm.join(', ')})`);
      const sorted = [...latencies].sort((x, y) => x - y);
      report(`${latencies.length + failedReads.length} reads of an account by another user during the launch (${failedReads.length} failed): median ${Math.round(median(sorted))} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`);
      if (failedReads.length > 0) report(`failed reads: ${[...new Set(failedReads)].slice(0, 3).join('; ')}`);
      report(`the main thread's event loop was late by ${Math.round(loopDelay.percentile(99) / 1e6)} ms at the 99th percentile (max ${Math.round(loopDelay.max / 1e6)} ms)`);
      figure('api-failed-reads-during-launch', failedReads.length, 'reads');
      const tableSorted = [...tableLatencies].sort((x, y) => x - y);
      report(`a GetItem straight to DynamoDB Local meanwhile: median ${Math.round(median(tableSorted))} ms, p99 ${Math.round(p99(tableSorted))} ms`);
      figure('api-p99-ms-during-launch', Math.round(p99(sorted)), 'ms');

      // c. the cost: the launch's table requests and invocations, and the whole sequence's transitions
      const scale = 10_000 / enrolled;
      const units = requestUnits(counted);
      const dynamo = (units.wru * PRICES.wru + units.rru * PRICES.rru) * scale;
      const lambda = invocations.reduce((sum, c) => sum + c.count * PRICES.lambdaRequest + (c.ms / 1000) * (c.memorySize / 1024) * PRICES.lambdaGbSecondArm, 0) * scale;
      const stepFunctions = transitions * 10_000 * PRICES.transition;
      report(`per 10,000 enrolled: DynamoDB $${dynamo.toFixed(3)} (${Math.round(units.wru * scale)} WRU, ${Math.round(units.rru * scale)} RRU), Lambda $${lambda.toFixed(3)} (durations as run here), Step Functions $${stepFunctions.toFixed(3)} (${transitions} transitions an enrolment, the whole sequence)`);
      figure('cost-per-10k-enrolled-usd', (dynamo + lambda + stepFunctions).toFixed(2), 'USD');
    } finally {
      events.destroy();
      sfn.destroy();
      table.destroy();
      await runtime.stop();
    }
  },
};
