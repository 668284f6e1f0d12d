import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../functions/events/inbound-events';
import { LOCAL_REGION } from '../../local/runtime';
import { fetchWithin } from './support/fetch-within';
import { clientOf, kill9, runtimesOnOneDataDir } from './support/runtime-process';
import { until } from './support/until';

/**
 * The runtime killed with -9 while 20 signed ERP events are in flight, restarted on the same data: the
 * ERP retries each one with the same idempotency key and body until it is answered, and every order and
 * payment ends up on the account's timeline exactly once. A claim on a key that the crash left behind
 * must not hold the key for longer than the function could have run.
 */
const runtimes = runtimesOnOneDataDir('tradeflow-inbound-crash', ['--demo-data']);
/** how long the ERP keeps retrying one event: well past the events function's timeout */
const RETRY_FOR_MS = 60_000;

afterAll(() => runtimes.cleanUp());

interface ErpEvent {
  key: string;
  body: string;
  activityId: string;
}

function erpEvents(count: number): ErpEvent[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, i) => {
    const id = `${run}-${i}`;
    const amount = { amountMinor: 10_000 + i, currency: 'EUR' };
    return i % 2 === 0
      ? {
        key: `order-SO-${id}`, activityId: `erp-order-SO-${id}`,
        body: JSON.stringify({ detailType: 'Order.Placed', detail: { orderId: `SO-${id}`, accountCode: 'NORDIC-DIST', placedAt: '2026-11-23T09:30:00Z', amount } }),
      }
      : {
        key: `payment-PAY-${id}`, activityId: `erp-payment-PAY-${id}`,
        body: JSON.stringify({ detailType: 'Payment.Received', detail: { paymentId: `PAY-${id}`, accountCode: 'NORDIC-DIST', receivedAt: '2026-11-23T11:00:00Z', amount } }),
      };
  });
}

interface Answer {
  status: number;
  body: any;
}

/** One signed POST /events as the ERP sends it: signed afresh, so a retry's timestamp is never stale. */
async function send(apiUrl: string, secret: string, event: ErpEvent): Promise<Answer> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetchWithin(`${apiUrl}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tradeflow-source': 'erp',
      'x-tradeflow-timestamp': timestamp,
      'x-tradeflow-signature': signatureOf(secret, timestamp, event.key, event.body),
      'idempotency-key': event.key,
    },
    body: event.body,
  });
  return { status: response.status, body: await response.json() };
}

/** What a careful sender does: the same key and body again on 409, 5xx or a broken connection, backing off, for a bounded time. */
async function sendUntilAnswered(apiUrl: string, secret: string, event: ErpEvent): Promise<Answer & { attempts: number }> {
  const deadline = Date.now() + RETRY_FOR_MS;
  let delayMs = 100;
  for (let attempts = 1; ; attempts++) {
    let last: Answer;
    try {
      last = await send(apiUrl, secret, event);
      if (last.status !== 409 && last.status < 500) return { ...last, attempts };
    } catch (error) {
      last = { status: 0, body: String(error) };
    }
    if (Date.now() > deadline) return { ...last, attempts };
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

async function erpSecret(edgeUrl: string) {
  const client = new SecretsManagerClient(clientOf(edgeUrl));
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: 'tradeflow/inbound/erp' }));
  client.destroy();
  return SecretString!;
}

async function asSales(apiUrl: string, pathAndQuery: string) {
  const token = await (await fetchWithin(`${apiUrl}/_local/token?user=u-sales&format=text`)).text();
  const response = await fetchWithin(`${apiUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${pathAndQuery}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}

/** Every activity on the account's timeline, all pages. */
async function timelineOf(apiUrl: string, accountId: string): Promise<{ id: string }[]> {
  const activities: { id: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await asSales(apiUrl, `/activities?accountId=${accountId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    activities.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return activities;
}

/** For a failure message: the workflow runs and failed bus deliveries of the events that never landed. */
async function whatBecameOf(edgeUrl: string, activityIds: string[]): Promise<string> {
  const externalIds = activityIds.map((id) => id.replace(/^erp-(order|payment)-/, ''));
  const concerns = (text: string) => externalIds.some((id) => text.includes(`"${id}"`));
  const sfn = new SFNClient(clientOf(edgeUrl));
  try {
    const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:tradeflow-record-erp-activity`;
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    const runs = [];
    for (const { executionArn } of executions) {
      const run = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (concerns(run.input ?? '')) runs.push({ status: run.status, error: run.error, cause: run.cause });
    }
    const { failed = [] } = (await (await fetchWithin(`${edgeUrl}/_local/events/failed?limit=1000`)).json()) as { failed?: unknown[] };
    return `their workflow runs: ${JSON.stringify(runs)}; failed deliveries: ${JSON.stringify(failed.filter((f) => concerns(JSON.stringify(f))))}`;
  } finally {
    sfn.destroy();
  }
}

describe('POST /events when the runtime is killed with -9 mid-delivery', () => {
  it('accepts every retried event and records each order and payment exactly once', async () => {
    let runtime = await runtimes.start();
    const secret = await erpSecret(runtime.edgeUrl);
    const events = erpEvents(20);

    const firstTries = events.map((event) => send(runtime.apiUrl, secret, event).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    ));
    // some are answered, the rest are somewhere between the claim and the answer when the runtime dies
    await Promise.race(firstTries);
    await kill9(runtime);
    const before = await Promise.all(firstTries);
    expect(before.filter((b) => 'error' in b).length, 'requests cut off by the kill').toBeGreaterThan(0);

    runtime = await runtimes.start();
    const answers = await Promise.all(events.map((event) => sendUntilAnswered(runtime.apiUrl, secret, event)));
    expect(answers.map((a, i) => ({ key: events[i]!.key, ...a })).filter((a) => a.status < 200 || a.status > 299)).toEqual([]);
    before.forEach((b, i) => {
      if ('answer' in b && b.answer.status === 202) expect(answers[i]!.body).toEqual({ ...b.answer.body, duplicate: true });
    });

    const nordic = (await asSales(runtime.apiUrl, '/accounts?status=active')).items.find((a: { code: string }) => a.code === 'NORDIC-DIST');
    const wanted = events.map((e) => e.activityId);
    let missing = wanted;
    const timeline = await until('every order and payment on the timeline', async () => {
      const activities = await timelineOf(runtime.apiUrl, nordic.id);
      missing = wanted.filter((id) => !activities.some((a) => a.id === id));
      return missing.length ? undefined : activities;
    }, 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; missing: ${missing.join(', ')}; ${await whatBecameOf(runtime.edgeUrl, missing)}`);
    });
    for (const id of wanted) expect(timeline.filter((a) => a.id === id), id).toHaveLength(1);
  }, 240_000);
});
