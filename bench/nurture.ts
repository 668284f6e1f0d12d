import '../local/quiet-sdk-warning';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime } from '../local/runtime';
import { seedDemoData } from '../local/seed/demo-data';
import { synthesize } from '../local/synth';
import type { NurtureSequenceInput } from '../schemas/nurture/sequence';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * The nurture benchmark, on the whole local runtime:
 *  a. state transitions per nurture step: one lead through mail, wait, mail, end (history of its execution);
 *  b. how fast a launch enrols: N Lead.Captured events put on the bus at once (NURTURE_BENCH_LEADS,
 *     default 10,000), timed until the sequence counts N enrolments (each with its execution started);
 *     a launch that is not done within NURTURE_BENCH_SECONDS (default 600) reports what it reached;
 *  c. the resident memory of the runtime's process afterwards (functions run as worker threads in it;
 *     DynamoDB Local's JVM is a process of its own and not counted).
 */
const LEADS = Number(process.env.NURTURE_BENCH_LEADS ?? 10_000);
const DEADLINE_S = Number(process.env.NURTURE_BENCH_SECONDS ?? 600);

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
  description: 'nurture engine: transitions per step, enrolments per second for a launch, runtime memory',
  async run() {
    await synthesize();
    const runtime = await startLocalRuntime({ ports: { api: 0, edge: 0, dynamodb: 0 } });
    const config = { endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const events = new EventBridgeClient(config);
    const sfn = new SFNClient(config);
    try {
      await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
      const token = await runtime.tokenFor('u-marketing');
      const api = async (path: string, body?: unknown) => {
        const response = await fetch(`${runtime.apiUrl}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const parsed = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers read by field
        if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
        return parsed;
      };
      const launch = async (id: string, formId: string) => {
        await api('/nurture/sequences', sequence(id, formId));
        await api(`/nurture/sequences/${id}/lifecycle`, { action: 'activate' });
      };
      const capture = (formId: string, n: number) => ({
        EventBusName: 'crm', Source: 'ext.web-forms', DetailType: 'Lead.Captured',
        Detail: JSON.stringify({ formId, capturedAt: new Date().toISOString(), firstName: 'Bench', lastName: `L${n}`, email: `bench-${formId}-${n}@example.com`, consent: { marketing: true } }),
      });
      const enrolled = async (id: string) => Number((await api(`/nurture/sequences/${id}`)).stats.enrolled);

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

      // b. a launch
      await launch('bench-launch', 'bench-launch');
      const started = Date.now();
      progress(`putting ${LEADS} Lead.Captured events`);
      const entries = Array.from({ length: LEADS }, (_, n) => capture('bench-launch', n));
      for (let i = 0; i < entries.length; i += 10) await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      let count = 0;
      while ((count = await enrolled('bench-launch')) < LEADS && (Date.now() - started) / 1000 < DEADLINE_S) {
        await new Promise((r) => setTimeout(r, 1000));
        progress(`${count} / ${LEADS} enrolled after ${Math.round((Date.now() - started) / 1000)} s`);
      }
      const seconds = (Date.now() - started) / 1000;
      report(`${count} of ${LEADS} leads enrolled in ${fixed1(seconds)} s${count < LEADS ? ` (stopped at the ${DEADLINE_S} s limit)` : ''}`);
      figure('enrolments-per-s', fixed1(count / seconds), 'enrolments/s');
      figure('runtime-rss-mb', Math.round(process.memoryUsage().rss / 1024 / 1024), 'MB');
    } finally {
      events.destroy();
      sfn.destroy();
      await runtime.stop();
    }
  },
};
