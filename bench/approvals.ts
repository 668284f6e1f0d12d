import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { LOCAL_REGION, type LocalRuntime } from '../local/runtime';
import { onLocalRuntime } from './local-runtime';
import { figure, fixed1, median, report, type Benchmark } from './support';

/**
 * The approval benchmark, on the local runtime with the demo data: REQUESTS promotions of
 * 62,000 EUR go through the seed policy's two steps (area manager, then sales director).
 *  - decision-to-next-task-ms: from sending the area manager's decision to the sales director's task
 *    being readable through the API (polled every 5 ms), median over the requests.
 *  - transitions-per-approval-step: states entered per execution (from GetExecutionHistory), divided
 *    by the steps it ran; the whole execution counts, its start and its end included. Target <= 8.
 */
const REQUESTS = 20;

interface View {
  request?: { status: string };
  tasks?: { assigneeId: string; status: string; taskId: string }[];
}
const POLL_MS = 5;

async function api(runtime: LocalRuntime, tokens: Map<string, string>, user: string, method: string, path: string, body?: unknown) {
  if (!tokens.has(user)) tokens.set(user, await runtime.tokenFor(user));
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens.get(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as View & { requestId: string } };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const openTask = (view: View | undefined, user: string) => view?.tasks?.find((t) => t.assigneeId === user && t.status === 'pending');

export const approvals: Benchmark = {
  name: 'approvals',
  description: 'state transitions per approval step, and the time from a decision to the next step\'s task',
  async run() {
    await onLocalRuntime(async (runtime, sfn) => {
      const tokens = new Map<string, string>();
      const waits: number[] = [];
      // a request names a promotion the rep drafted; the engine reads its amount from it
      const draft = (await api(runtime, tokens, 'u-sales', 'GET', '/promotions?status=draft')).body as unknown as { items: Record<string, unknown>[] };
      const template = draft.items[0]!;
      for (let i = 0; i < REQUESTS; i++) {
        const made = await api(runtime, tokens, 'u-sales', 'POST', '/promotions', {
          name: `Bench display ${i}`, type: template.type, description: template.description, region: template.region, fundId: template.fundId,
          accountIds: template.accountIds, startsAt: template.startsAt, endsAt: template.endsAt,
          expenseLines: [{ kind: 'display', amount: { amountMinor: 6_200_000, currency: 'EUR' } }],
        }) as unknown as { body: { id: string } };
        const { body } = await api(runtime, tokens, 'u-sales', 'POST', '/approvals', { subject: { type: 'promotion', id: made.body.id } });
        const read = () => api(runtime, tokens, 'u-ops', 'GET', `/approvals/${body.requestId}`).then((r) => r.body);
        const first = await until(read, (v) => Boolean(openTask(v, 'u-north-manager')));
        const started = performance.now();
        await api(runtime, tokens, 'u-north-manager', 'POST', `/approvals/${body.requestId}/tasks/${openTask(first, 'u-north-manager')!.taskId}/decision`, { decision: 'approve' });
        const second = await until(read, (v) => Boolean(openTask(v, 'u-sales-director')));
        waits.push(performance.now() - started);
        await api(runtime, tokens, 'u-sales-director', 'POST', `/approvals/${body.requestId}/tasks/${openTask(second, 'u-sales-director')!.taskId}/decision`, { decision: 'approve' });
        await until(read, (v) => v?.request?.status === 'approved');
      }
      const arn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:tradeflow-approval`;
      const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED', maxResults: 1000 }));
      const perStep: number[] = [];
      for (const execution of executions) {
        const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }));
        const entered = events.filter((e) => String(e.type).endsWith('StateEntered')).length;
        perStep.push(entered / 2);
      }
      report(`${REQUESTS} promotions through 2 approval steps; ${executions.length} executions read back`);
      figure('transitions-per-approval-step', fixed1(Math.max(...perStep)), 'transitions');
      figure('decision-to-next-task-ms', fixed1(median(waits)), 'ms');
      report(`target: <= 8 transitions per step; decision-to-next-task max ${fixed1(Math.max(...waits))} ms`);
    });
  },
};
