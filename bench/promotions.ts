import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { LOCAL_REGION, type LocalRuntime } from '../local/runtime';
import { onLocalRuntime } from './local-runtime';
import { figure, fixed1, pad, progress, report, type Benchmark } from './support';

/**
 * The trade-promotion benchmark, on the local runtime with the demo data, business time
 * moved by the local clock:
 *  - transitions-per-promotion-lifecycle: one promotion's whole life (submitted, approved by the area
 *    manager through the approval engine, active, ended, closed out, one claim approved by finance,
 *    settled 30 days after its end): the states entered, counted from the execution histories of every
 *    execution it took (promotion-lifecycle, expense-claim, campaign-settlement and the two approvals).
 *    Standard workflows are billed per state transition; target <= 60.
 *  - promotions-approved-per-s: PROMOTIONS drafts submitted at once, each approval decided through the
 *    API by its approver as soon as the task is there; from the first submit to the last promotion
 *    read back as approved (budget reserved), CONCURRENCY promotions in flight.
 */
const PROMOTIONS = 40;
const CONCURRENCY = 8;
const DAY = 24 * 3600;
const MACHINES = ['promotion-lifecycle', 'approval', 'expense-claim', 'campaign-settlement'];

// the API's JSON, read loosely: a benchmark, not a client
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
interface Api {
  call(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }>;
  /** reads until `done` holds; throws after 60 s */
  poll(user: string, path: string, done: (body: Body) => boolean): Promise<Body>;
}

function apiOf(runtime: LocalRuntime): Api {
  const tokens = new Map<string, Promise<string>>();
  const call: Api['call'] = async (user, method, path, body) => {
    if (!tokens.has(user)) tokens.set(user, runtime.tokenFor(user));
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokens.get(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };
  return {
    call,
    async poll(user, path, done) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { body } = await call(user, 'GET', path);
        if (done(body)) return body;
        if (Date.now() > deadline) throw new Error(`gave up waiting on ${path}: ${JSON.stringify(body)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

async function created(reply: Promise<{ status: number; body: Body }>): Promise<string> {
  const { status, body } = await reply;
  if (status !== 201) throw new Error(`not created: ${status} ${JSON.stringify(body)}`);
  return String(body.id);
}

/** Decides the approval request of a promotion or claim as its approvers do, one open task after the other. */
async function approve(api: Api, requestId: string) {
  for (;;) {
    const view = await api.poll('u-ops', `/approvals/${requestId}`, (v) => v.request?.status !== undefined
      && (v.request.status !== 'pending' || v.tasks.some((t: Body) => t.status === 'pending')));
    if (view.request.status !== 'pending') return;
    const task = view.tasks.find((t: Body) => t.status === 'pending');
    const { status } = await api.call(task.assigneeId, 'POST', `/approvals/${requestId}/tasks/${task.taskId}/decision`, { decision: 'approve' });
    if (status !== 200 && status !== 409) throw new Error(`${task.assigneeId} could not decide ${requestId}: ${status}`);
    await api.poll('u-ops', `/approvals/${requestId}`, (v) => !v.tasks.some((t: Body) => t.taskId === task.taskId && t.status === 'pending'));
  }
}

export const promotions: Benchmark = {
  name: 'promotions',
  description: 'state transitions of one whole promotion lifecycle (one claim, the settlement), and promotions approved per second',
  async run() {
    await onLocalRuntime(async (runtime, sfn) => {
      const clock = async (advanceSeconds?: number) => {
        const response = await fetch(`${runtime.edgeUrl}/_local/clock`, advanceSeconds ? { method: 'POST', body: JSON.stringify({ advanceSeconds }) } : {});
        return Date.parse(((await response.json()) as { now?: string }).now ?? new Date().toISOString());
      };
      const api = apiOf(runtime);
      const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
      const accounts = await api.call('u-sales', 'GET', '/accounts?region=North');
      const fundId = await created(api.call('u-finance', 'POST', '/funds', {
        name: 'Bench fund', region: 'North', period: '2027', allocated: eur(100_000_000), departmentId: 'd-north',
      }));
      const draft = async (name: string) => {
        const now = await clock();
        const at = (days: number) => new Date(now + days * DAY * 1000).toISOString();
        return created(api.call('u-sales', 'POST', '/promotions', {
          name, description: 'bench', type: 'display', region: 'North', startsAt: at(10), endsAt: at(20),
          accountIds: [accounts.body.items[0].id], fundId, expenseLines: [{ kind: 'display', amount: eur(1_000_00) }],
        }));
      };
      const promotion = (id: string, done: (p: Body) => boolean) => api.poll('u-sales', `/promotions/${id}`, done);

      // 1. one whole life, then every execution it took, read back
      progress('one promotion through its whole life');
      const id = await draft('Bench lifecycle');
      await api.call('u-sales', 'POST', `/promotions/${id}/submit`, {});
      await approve(api, `promotion-${id}-1`);
      await promotion(id, (p) => p.status === 'approved');
      await clock(11 * DAY);
      await promotion(id, (p) => p.status === 'active');
      await clock(10 * DAY);
      await promotion(id, (p) => p.status === 'ended');
      await api.call('u-sales', 'POST', `/promotions/${id}/close-out`, { actuals: [], evidenceRefs: ['BENCH-PHOTO'] });
      const claimId = await created(api.call('u-sales', 'POST', '/claims', { promotionId: id, lines: [{ kind: 'display', amount: eur(800_00), evidenceRef: 'BENCH-RCPT' }] }));
      await api.call('u-sales', 'POST', `/claims/${claimId}/submit`, {});
      await approve(api, `claim-${claimId}-1`);
      await api.poll('u-sales', `/claims/${claimId}`, (c) => c.status === 'approved');
      await clock(31 * DAY);
      await promotion(id, (p) => p.status === 'settled');

      // its executions, once each has ended (the last of them mail and announce after the status changed)
      const countStates = async () => {
        const perMachine: [string, number, number][] = [];
        let running = 0;
        for (const machine of MACHINES) {
          const arn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:tradeflow-${machine}`;
          const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }));
          let count = 0;
          let entered = 0;
          for (const execution of executions) {
            const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }));
            const input = events[0]?.executionStartedEventDetails?.input ?? '';
            if (!input.includes(id) && !input.includes(claimId)) continue;
            if (execution.status === 'RUNNING') running += 1;
            count += 1;
            entered += events.filter((e) => String(e.type).endsWith('StateEntered')).length;
          }
          perMachine.push([machine, count, entered]);
        }
        return { perMachine, running };
      };
      let counted = await countStates();
      for (let tries = 0; counted.running > 0 && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 200));
        counted = await countStates();
      }
      const { perMachine } = counted;
      if (counted.running > 0) progress(`${counted.running} of its executions still running: counted as far as they got`);
      report('executions of one promotion (states entered):');
      for (const [machine, count, entered] of perMachine) report(`  ${pad(machine, 22)} ${count} execution${count === 1 ? '' : 's'}, ${entered}`);
      const transitions = perMachine.reduce((sum, [, , entered]) => sum + entered, 0);
      figure('transitions-per-promotion-lifecycle', transitions, 'transitions');
      report(`target: <= 60; at $0.025 per 1,000 transitions, $${(transitions * 0.000025).toFixed(5)} a promotion`);

      // 2. throughput: submit to approved, CONCURRENCY in flight
      progress(`${PROMOTIONS} promotions from submit to approved`);
      const ids: string[] = [];
      for (let i = 0; i < PROMOTIONS; i++) ids.push(await draft(`Bench throughput ${i}`));
      const queue = [...ids];
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const { status } = await api.call('u-sales', 'POST', `/promotions/${next}/submit`, {});
          if (status !== 202) throw new Error(`submit ${next}: ${status}`);
          await approve(api, `promotion-${next}-1`);
          await promotion(next, (p) => p.status === 'approved');
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      figure('promotions-approved-per-s', fixed1(PROMOTIONS / seconds), '/s');
      report(`${PROMOTIONS} promotions in ${fixed1(seconds)} s, ${CONCURRENCY} at a time, each decided by the area manager through the API`);
    });
  },
};
