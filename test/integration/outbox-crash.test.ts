import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { seedDemoData } from '../../local/seed/demo-data';
import { fetchWithin } from './support/fetch-within';
import { clientOf, kill9, runtimesOnOneDataDir, type RuntimeProcess } from './support/runtime-process';
import { until, untilIdleAfterKill } from './support/until';

/**
 * The runtime killed with -9 while a rep's submissions are in flight, restarted on the same data. Each
 * submission that committed announced itself in the same transaction (the outbox), so whether the crash
 * came before the relay delivered Promotion.Submitted or after, every submitted promotion gets its
 * lifecycle once (one running execution, one approval request) and its approver one mail; a submission
 * the crash cut short before its commit left a draft that nothing runs.
 */
const runtimes = runtimesOnOneDataDir('tradeflow-outbox-crash');
const SUBMISSIONS = 8;
const APPROVER = 'manager.north@tradeflow.example';

const tokenFor = (apiUrl: string) => async (user: string) => (await fetchWithin(`${apiUrl}/_local/token?user=${user}&format=text`)).text();
async function call(runtime: RuntimeProcess, user: string, method: string, route: string, body?: unknown) {
  const response = await fetchWithin(`${runtime.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${await tokenFor(runtime.apiUrl)(user)}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** the promotion lifecycle's executions for one promotion, by status */
async function lifecyclesOf(runtime: RuntimeProcess, promotionId: string): Promise<string[]> {
  const sfn = new SFNClient(clientOf(runtime.edgeUrl));
  try {
    const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:tradeflow-promotion-lifecycle`;
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    const statuses: string[] = [];
    for (const { executionArn } of executions) {
      const run = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (JSON.parse(run.input ?? '{}').detail?.promotionId === promotionId) statuses.push(run.status!);
    }
    return statuses;
  } finally {
    sfn.destroy();
  }
}

const approverMailsAbout = async (runtime: RuntimeProcess, promotionId: string) =>
  ((await (await fetchWithin(`${runtime.edgeUrl}/_local/ses/messages?to=${APPROVER}`)).json()) as { subject: string; text: string }[])
    .filter((m) => m.text.includes(`/app/approvals/promotion-${promotionId}-1`));

afterAll(() => runtimes.cleanUp());

describe('what a submission announces, across a kill -9', () => {
  it('is delivered once for every submission that committed, and never for one that did not', async () => {
    let runtime = await runtimes.start();
    await seedDemoData({ apiUrl: runtime.apiUrl, tokenFor: tokenFor(runtime.apiUrl) }, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    // drafts like the demo data's, each with a name of its own
    const [draft] = (await call(runtime, 'u-sales', 'GET', '/promotions?status=draft')).body.items;
    const fields = ['type', 'description', 'region', 'fundId', 'campaignId', 'startsAt', 'endsAt', 'accountIds', 'productSeries', 'expenseLines'];
    const ids: string[] = [];
    for (let i = 0; i < SUBMISSIONS; i++) {
      const body = Object.fromEntries(fields.filter((f) => draft[f] !== undefined).map((f) => [f, draft[f]]));
      const created = await call(runtime, 'u-sales', 'POST', '/promotions', { ...body, name: `Crash display ${i}` });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      ids.push(created.body.id);
    }

    // all submitted at once; the runtime dies as soon as the first is accepted
    const submissions = ids.map((id) => call(runtime, 'u-sales', 'POST', `/promotions/${id}/submit`, {}));
    await Promise.any(submissions.map(async (s) => ((await s).status === 202 ? true : Promise.reject(new Error('not accepted')))));
    await kill9(runtime);
    await Promise.allSettled(submissions);

    runtime = await runtimes.start();
    const statuses = await Promise.all(ids.map(async (id) => (await call(runtime, 'u-sales', 'GET', `/promotions/${id}`)).body.status as string));
    const submitted = ids.filter((_, i) => statuses[i] !== 'draft');
    expect(submitted.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 'draft' && s !== 'submitted')).toEqual([]);
    for (const id of submitted) {
      await until(`the approver's mail about ${id}`, async () => ((await approverMailsAbout(runtime, id)).length > 0 ? true : undefined), 60_000);
    }
    await untilIdleAfterKill(runtime.edgeUrl);

    for (const [i, id] of ids.entries()) {
      const request = await call(runtime, 'u-ops', 'GET', `/approvals/promotion-${id}-1`);
      const mails = await approverMailsAbout(runtime, id);
      const lifecycles = await lifecyclesOf(runtime, id);
      if (statuses[i] === 'draft') {
        expect({ id, request: request.status, mails: mails.length, lifecycles }).toEqual({ id, request: 404, mails: 0, lifecycles: [] });
      } else {
        // a repeated Promotion.Submitted (the relay killed between the bus and its mark) ends at once
        expect({ id, request: request.body.request?.status, mails: mails.length, running: lifecycles.filter((s) => s === 'RUNNING').length })
          .toEqual({ id, request: 'pending', mails: 1, running: 1 });
        expect(lifecycles.filter((s) => s !== 'RUNNING' && s !== 'SUCCEEDED')).toEqual([]);
      }
    }
  }, 240_000); // two cold starts of the whole runtime and the demo data: a minute or more on a busy 2-core machine
});
