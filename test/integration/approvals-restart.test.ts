import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { seedDemoData } from '../../local/seed/demo-data';
import { approvalRequestKey } from '../../schemas/keys';
import { fetchWithin } from './support/fetch-within';
import { clientOf, kill9, runtimesOnOneDataDir, type RuntimeProcess } from './support/runtime-process';
import { until } from './support/until';

/**
 * The runtime killed with -9 while an approval waits for its approver, restarted on the same data: the
 * approver decides through the new runtime and the request completes (the wait's token, stored on the
 * request, is the same after the restart).
 */
const runtimes = runtimesOnOneDataDir('tradeflow-approval-restart');

const tokenFor = (apiUrl: string) => async (user: string) => (await fetchWithin(`${apiUrl}/_local/token?user=${user}&format=text`)).text();
async function call(runtime: RuntimeProcess, user: string, method: string, route: string, body?: unknown) {
  const response = await fetchWithin(`${runtime.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${await tokenFor(runtime.apiUrl)(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** the token the approval's wait stored on its request, once it has */
async function storedWaitToken(runtime: RuntimeProcess, requestId: string): Promise<string | undefined> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientOf(runtime.dynamoDbEndpoint)));
  try {
    const { Item } = await documents.send(new GetCommand({ TableName: runtime.tableName, Key: approvalRequestKey(requestId), ConsistentRead: true }));
    return Item?.taskToken as string | undefined;
  } finally {
    documents.destroy();
  }
}

afterAll(() => runtimes.cleanUp());

describe('an approval across a runtime restart', () => {
  it('still completes when the runtime was killed while it waited', async () => {
    let runtime = await runtimes.start();
    await seedDemoData({ apiUrl: runtime.apiUrl, tokenFor: tokenFor(runtime.apiUrl) }, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    // one of the rep's draft promotions in the demo data: a request names it, the engine reads the rest
    const drafts = await call(runtime, 'u-sales', 'GET', '/promotions?status=draft');
    const subject = { type: 'promotion', id: drafts.body.items[0].id };
    const asked = await call(runtime, 'u-sales', 'POST', '/approvals', { subject });
    expect(asked.status).toBe(202);
    const read = (r: RuntimeProcess, done: (body: any) => boolean) => async () => {
      const reply = await call(r, 'u-ops', 'GET', `/approvals/${asked.body.requestId}`);
      return reply.status === 200 && done(reply.body) ? reply.body : undefined;
    };
    const pending = await until('the first task', read(runtime, (b) => b.tasks.some((t: any) => t.status === 'pending')));
    const task = pending.tasks.find((t: any) => t.status === 'pending');
    await until('the wait to store its token on the request', () => storedWaitToken(runtime, asked.body.requestId));

    await kill9(runtime);
    runtime = await runtimes.start();
    const decided = await call(runtime, task.assigneeId, 'POST', `/approvals/${asked.body.requestId}/tasks/${task.taskId}/decision`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    const done = await until('the approval', read(runtime, (b) => b.request.status === 'approved'));
    expect(done.request.status).toBe('approved');
  }, 180_000); // two cold starts of the whole runtime and the demo data: a minute on a busy 2-core machine
});
