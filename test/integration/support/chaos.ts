import '../../../local/quiet-sdk-warning';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNATURE_HEADERS, signatureOf } from '../../../functions/events/inbound-events';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/runtime';
import { seedDemoData } from '../../../local/seed/demo-data';
import { sampleWelcomeSequence } from '../../../local/seed/welcome-sequence';
import type { InboundSystem } from '../../../schemas/events';
import { sample } from './fuzz';
import { caller, type Caller } from './local-crm';
import { fetchWithin } from './fetch-within';
import { clientOf, kill9, runtimesOnOneDataDir, type RuntimeProcess } from './runtime-process';
import { hiddenMessagesAfterKill, QUEUE_VISIBILITY_S } from './until';

/**
 * The chaos driver. A run drives one business process through the API of a whole runtime that is
 * killed with -9 at a seeded point (a step of the process and a delay into it), restarted on the same
 * data and driven on, as a person or a sending system would (asking again what they did not get an
 * answer to). Inbound events are delivered three times each, in a seeded shuffled order. Afterwards the
 * run counts what must hold: effects lost (an accepted request without its end state, a ledger line,
 * timeline entry or mail missing) and effects doubled (one present twice, a fund statement that does
 * not balance). Everything is read through the API, the local SES and the table.
 */

const DAY_MS = 86_400_000;
/** how long a wait for the runtime to settle may take before the run gives up on it (a step that never ends) */
const SETTLE_TIMEOUT_MS = 120_000;
/** how long a sender retries one delivery (on 409, 5xx or a broken connection): well past the events function's timeout */
const DELIVERY_RETRY_MS = 60_000;
/** the latest point after a step's start at which the kill may land */
const MAX_KILL_DELAY_MS = 2_000;

/** A runtime on one data folder that the driver kills and restarts; calls go to whichever one is up. */
export interface ChaosSession {
  runtime(): Promise<RuntimeProcess>;
  as(user: string): Caller;
  /** a GET or POST on the edge (the local SES, clock and idle probe) of the runtime up now */
  edge<T = any>(path: string, method?: 'GET' | 'POST', body?: unknown): Promise<T>;
  /** kill -9, then start again on the same data; resolves once the new runtime answers */
  killAndRestart(): Promise<void>;
  /** how many times it was killed so far */
  kills(): number;
  stop(): Promise<void>;
}

export async function startChaosSession(name = 'tradeflow-chaos'): Promise<ChaosSession> {
  const runtimes = runtimesOnOneDataDir(name);
  let killed = 0;
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (apiUrl: string, user: string) => {
    const key = `${apiUrl} ${user}`;
    if (!tokens.has(key)) tokens.set(key, fetchWithin(`${apiUrl}/_local/token?user=${user}&format=text`).then((r) => r.text()));
    return tokens.get(key)!;
  };
  let current: Promise<RuntimeProcess> = runtimes.start().then(async (runtime) => {
    await seedDemoData({ apiUrl: runtime.apiUrl, tokenFor: (user) => tokenFor(runtime.apiUrl, user) }, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    return runtime;
  });
  await current;
  return {
    runtime: () => current,
    as: (user) => caller(async () => (await current).apiUrl, async () => tokenFor((await current).apiUrl, user), fetchWithin),
    async edge(path, method = 'GET', body) {
      const { edgeUrl } = await current;
      const response = await fetchWithin(`${edgeUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      if (!response.ok) throw new Error(`${method} ${path} on the edge: ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    },
    async killAndRestart() {
      const dying = await current;
      let restarted!: (runtime: Promise<RuntimeProcess>) => void;
      current = new Promise((resolve) => { restarted = resolve; });
      killed += 1;
      await kill9(dying);
      const next = runtimes.start();
      restarted(next);
      await next;
    },
    kills: () => killed,
    stop: () => runtimes.cleanUp(),
  };
}

/** What a run found; `errors` are the driver's own failures (not a finding about the product). */
export interface ChaosFindings {
  lost: string[];
  doubled: string[];
  errors: string[];
}

export interface ChaosRunReport extends ChaosFindings {
  process: ChaosProcessName;
  seed: number;
  /** what the run tried: the planned kill point, where it landed, the deliveries' order */
  tried: string[];
  /** what held: the invariants checked and found true */
  held: string[];
}

/** Thrown by a wait whose runtime went idle without reaching what the run waited for: an effect lost. */
class LostEffect extends Error {}

interface Delivery {
  system: InboundSystem;
  key: string;
  body: string;
}

/** One run's view: the session, its unique tag, and the helpers its steps use. */
interface RunContext {
  session: ChaosSession;
  tag: string;
  seed: number;
  tried: string[];
  /** accepted requests (a 2xx) with the end state each must reach, checked at the end */
  accepted: string[];
}

interface ChaosStep {
  name: string;
  /** re-runnable: after a kill the step runs again from its start, asking first what was done */
  run(): Promise<void>;
}

interface ChaosCheck {
  /** what must hold, in words */
  what: string;
  /** how many times the effect is there (1 holds; 0 is lost, more is doubled) */
  count(): Promise<number>;
}

interface ProcessPlan {
  /** done before the chaos starts (records the process needs) */
  prepare: ChaosStep[];
  /** the process itself: the kill lands in one of these */
  steps: ChaosStep[];
  checks: ChaosCheck[];
}

/**
 * Waits until `done(read())`, or until the runtime is idle without it: then the effect is lost. Queue
 * messages a killed runtime had received stay hidden for their queue's visibility timeout (minutes), as
 * in SQS; when they are all the runtime still waits on, the local clock moves past that timeout, as time
 * passing would, so they are delivered again.
 */
async function settled<T>(ctx: RunContext, what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const passHidden = hiddenMessagesAfterKill((await ctx.session.runtime()).edgeUrl);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    const { idle, busy = [] } = await ctx.session.edge<{ idle: boolean; busy?: string[] }>('/_local/idle?waitSeconds=2');
    if (await passHidden(busy)) {
      ctx.tried.push(`the local clock moved ${QUEUE_VISIBILITY_S} s on: queue messages the killed runtime had received were hidden until then`);
    }
    if (idle) {
      const again = await read();
      if (done(again)) return again;
      throw new LostEffect(`${what} never came (the runtime went idle without it): ${JSON.stringify(again).slice(0, 300)}`);
    }
    if (Date.now() > deadline) throw new LostEffect(`${what} never came (the runtime was still busy after ${SETTLE_TIMEOUT_MS / 1000} s)`);
  }
}

async function ok(reply: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const { status, body } = await reply;
  if (status < 200 || status > 299) throw new Error(`${what}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function secretOf(session: ChaosSession, system: InboundSystem): Promise<string> {
  const client = new SecretsManagerClient(clientOf((await session.runtime()).edgeUrl));
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: `tradeflow/inbound/${system}` }))).SecretString!;
  } finally {
    client.destroy();
  }
}

/**
 * One delivery as a careful sender makes it: signed afresh each time, the same key and body again on
 * 409 (after its retry-after), 5xx or a broken connection (once the runtime is back), for a bounded time.
 */
async function deliver(ctx: RunContext, delivery: Delivery): Promise<number> {
  const deadline = Date.now() + DELIVERY_RETRY_MS;
  for (;;) {
    let status = 0;
    let retryAfterMs = 0;
    try {
      const [{ apiUrl }, secret] = await Promise.all([ctx.session.runtime(), secretOf(ctx.session, delivery.system)]);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await fetchWithin(`${apiUrl}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADERS.system]: delivery.system,
          [SIGNATURE_HEADERS.timestamp]: timestamp,
          [SIGNATURE_HEADERS.signature]: signatureOf(secret, timestamp, delivery.key, delivery.body),
          [SIGNATURE_HEADERS.idempotencyKey]: delivery.key,
        },
        body: delivery.body,
      });
      status = response.status;
      retryAfterMs = Number(response.headers.get('retry-after') ?? 1) * 1000;
      await response.body?.cancel();
      if (status !== 409 && status < 500) return status;
    } catch {
      // the runtime died under the request: ask again once it is back
      await ctx.session.runtime();
    }
    if (Date.now() > deadline) return status;
    // the sender's backoff before a retry (what the product asks with retry-after), not a wait for an outcome
    await sleep(Math.min(Math.max(retryAfterMs, 200), 2_000));
  }
}

/** Each event three times, in the run's shuffled order; every one must be answered 2xx. */
function deliverThrice(ctx: RunContext, name: string, events: { system: InboundSystem; key: string; detailType: string; detail: unknown }[]): ChaosStep {
  const deliveries = events.flatMap((e) => {
    const delivery = { system: e.system, key: e.key, body: JSON.stringify({ detailType: e.detailType, detail: e.detail }) };
    return [delivery, delivery, delivery];
  });
  const order = sample(deliveries.map((_, i) => i), deliveries.length, ctx.seed);
  let sent = 0;
  return {
    name,
    async run() {
      if (sent === 0) ctx.tried.push(`${name}: ${order.map((i) => deliveries[i]!.key).join(', ')}`);
      // after a kill the sender goes on where it was: a delivery cut off is sent again
      for (; sent < order.length; sent++) {
        const delivery = deliveries[order[sent]!]!;
        const status = await deliver(ctx, delivery);
        if (status < 200 || status > 299) throw new LostEffect(`the delivery of ${delivery.key} was answered ${status}`);
        if (!ctx.accepted.includes(`event ${delivery.key}`)) ctx.accepted.push(`event ${delivery.key}`);
      }
    },
  };
}

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const clockNow = async (ctx: RunContext) => (await ctx.session.edge<{ epochMillis: number }>('/_local/clock')).epochMillis;
/** moves the local clock to `at`: safe to repeat (the clock never runs backwards) */
const advanceTo = (ctx: RunContext, at: number) => ctx.session.edge('/_local/clock', 'POST', { advanceTo: new Date(at).toISOString() });

/** Every approver decides (approves) their open task of the request until it ends. */
async function approveAll(ctx: RunContext, requestId: string): Promise<void> {
  const ops = ctx.session.as('u-ops');
  for (let decided = 0; decided < 10; decided++) {
    const view = await settled(ctx, `an open task of ${requestId}`, () => ops.get(`/approvals/${requestId}`),
      (r) => r.status === 200 && (r.body.request.status !== 'pending' || r.body.tasks.some((t: any) => t.status === 'pending')));
    if (view.body.request.status !== 'pending') return;
    const task = view.body.tasks.find((t: any) => t.status === 'pending');
    const reply = await ctx.session.as(task.assigneeId).post(`/approvals/${requestId}/tasks/${task.taskId}/decision`, { decision: 'approve' });
    // decided already (before a kill, or another task of an "any one" step): read it again
    if (reply.status !== 200 && reply.status !== 409) throw new Error(`${task.assigneeId} could not decide ${requestId}: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  throw new Error(`approval ${requestId} did not end after 10 decisions`);
}

interface Mail { id: string; to: string[] | string; subject: string; text: string; template?: { name?: string } }
const mailsTo = (ctx: RunContext, to: string) => ctx.session.edge<Mail[]>(`/_local/ses/messages?to=${encodeURIComponent(to)}`);
const countMails = async (ctx: RunContext, to: string, match: (mail: Mail) => boolean) => (await mailsTo(ctx, to)).filter(match).length;
/** The approval mail of `kind` (its subject's opening: "Approval needed", "Escalated to you", "Approved") about the request, to `to`. */
const approvalMail = (ctx: RunContext, what: string, to: () => Promise<string>, requestId: () => string, kind: string): ChaosCheck => ({
  what,
  count: async () => countMails(ctx, await to(), (m) => m.subject.startsWith(`${kind}:`) && m.text.includes(`/app/approvals/${requestId()}`)),
});
/** A mail of this subject: each of its recipients has it once (the most any has, so a doubled one shows). */
const mailToEachOnce = (ctx: RunContext, what: string, subject: string): ChaosCheck => ({
  what,
  async count() {
    const mails = (await ctx.session.edge<Mail[]>('/_local/ses/messages')).filter((m) => m.subject === subject);
    const perRecipient = new Map<string, number>();
    for (const mail of mails) for (const to of [mail.to].flat()) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    return Math.max(0, ...perRecipient.values());
  },
});

/** How many items of the table carry `attribute` = `value` (read through the edge, as an operator would). */
async function itemsWith(ctx: RunContext, attribute: string, value: string): Promise<number> {
  const { edgeUrl, tableName } = await ctx.session.runtime();
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(clientOf(edgeUrl)));
  try {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({
        TableName: tableName, ExclusiveStartKey: start, FilterExpression: '#a = :v', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':v': value },
      }));
      count += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  } finally {
    documents.destroy();
  }
}

async function nordicAccountId(ctx: RunContext): Promise<string> {
  const accounts = await ok(ctx.session.as('u-sales').get('/accounts?region=North&status=active&limit=100'), 'the North accounts');
  return accounts.items.find((a: { code: string }) => a.code === 'NORDIC-DIST').id;
}

/**
 * An ERP order and payment of the run for the Nordic account (`links` names what they are revenue of),
 * and the checks that each is on the account's timeline once, however often it comes.
 */
function erpRevenue(ctx: RunContext, at: string, links: { order?: Record<string, string>; payment?: Record<string, string> } = {}) {
  const events = [
    { system: 'erp' as const, key: `order-SO-${ctx.tag}`, detailType: 'Order.Placed', detail: { orderId: `SO-${ctx.tag}`, accountCode: 'NORDIC-DIST', placedAt: at, amount: eur(3_000_00), ...links.order } },
    { system: 'erp' as const, key: `payment-PAY-${ctx.tag}`, detailType: 'Payment.Received', detail: { paymentId: `PAY-${ctx.tag}`, accountCode: 'NORDIC-DIST', receivedAt: at, amount: eur(3_000_00), ...links.payment } },
  ];
  const checks: ChaosCheck[] = [`erp-order-SO-${ctx.tag}`, `erp-payment-PAY-${ctx.tag}`].map((activityId) => ({
    what: `the timeline entry ${activityId}`,
    count: () => itemsWith(ctx, 'id', activityId),
  }));
  return { events, checks };
}

const PROMOTION_ORDER = ['draft', 'submitted', 'approved', 'active', 'ended', 'closed-out', 'settled'];
const reached = (status: string) => (p: { status: string }) => PROMOTION_ORDER.indexOf(p.status) >= PROMOTION_ORDER.indexOf(status);

/**
 * A promotion's life from submission to settlement, with its claim and the ERP's payment of it; the
 * claim process is its second half (`from: 'claim'`), the first half then done before the chaos.
 */
function promotionPlan(ctx: RunContext, from: 'submit' | 'claim'): ProcessPlan {
  const sales = ctx.session.as('u-sales');
  const name = `Chaos display ${ctx.tag}`;
  let start = 0;
  let fundId = '';
  let campaignId = '';
  let promotionId = '';
  let claimId = '';
  let claimApprover = '';
  const at = (days: number) => start + days * DAY_MS;
  const iso = (days: number) => new Date(at(days)).toISOString();
  const promotion = () => ok(sales.get(`/promotions/${promotionId}`), 'the promotion');
  const claimOf = async () => (await ok(sales.get(`/claims?promotionId=${promotionId}`), 'the claims')).items[0] as { id: string; status: string } | undefined;

  const prepare: ChaosStep = {
    name: 'a fund, a campaign and a draft promotion',
    async run() {
      start = await clockNow(ctx);
      fundId = (await ok(ctx.session.as('u-finance').post('/funds', { name: `Chaos fund ${ctx.tag}`, region: 'North', period: '2027-Q1', allocated: eur(5_000_00), departmentId: 'd-north' }), 'the fund')).id;
      campaignId = (await ok(ctx.session.as('u-marketing').post('/campaigns', { name: `Chaos campaign ${ctx.tag}`, startsAt: iso(5), endsAt: iso(30), settlementDelayDays: 10, currency: 'EUR' }), 'the campaign')).id;
      promotionId = (await ok(sales.post('/promotions', {
        name, description: 'Display at Nordic', type: 'display', region: 'North', startsAt: iso(10), endsAt: iso(20),
        accountIds: [await nordicAccountId(ctx)], fundId, campaignId,
        expenseLines: [{ kind: 'display', amount: eur(600_00) }, { kind: 'tasting', amount: eur(400_00) }],
      }), 'the draft promotion')).id;
    },
  };
  const firstHalf: ChaosStep[] = [
    {
      name: 'submit the promotion',
      async run() {
        if ((await promotion()).status !== 'draft') return;
        await ok(sales.post(`/promotions/${promotionId}/submit`, {}), 'submitting');
        ctx.accepted.push(`submit of ${promotionId}`);
      },
    },
    {
      name: 'the area manager approves',
      async run() {
        await settled(ctx, 'the promotion\'s approval request', () => ctx.session.as('u-ops').get(`/approvals/promotion-${promotionId}-1`), (r) => r.status === 200);
        await approveAll(ctx, `promotion-${promotionId}-1`);
        await settled(ctx, 'the promotion approved', promotion, reached('approved'));
      },
    },
    {
      name: 'the promotion runs and ends',
      async run() {
        await advanceTo(ctx, at(21));
        await settled(ctx, 'the promotion ended', promotion, reached('ended'));
      },
    },
    {
      name: 'the rep closes it out',
      async run() {
        if ((await promotion()).status === 'ended') {
          await ok(sales.post(`/promotions/${promotionId}/close-out`, { actuals: [], evidenceRefs: [`PHOTO-${ctx.tag}`] }), 'closing out');
        }
      },
    },
  ];
  const claimSteps: ChaosStep[] = [
    {
      name: 'the rep claims 800.00 EUR',
      async run() {
        let claim = await claimOf();
        claim ??= await ok(sales.post('/claims', { promotionId, lines: [{ kind: 'display', amount: eur(500_00), evidenceRef: `RCPT-${ctx.tag}-1` }, { kind: 'tasting', amount: eur(300_00), evidenceRef: `RCPT-${ctx.tag}-2` }] }), 'the claim');
        claimId = claim!.id;
        if (claim!.status === 'draft') {
          await ok(sales.post(`/claims/${claimId}/submit`, {}), 'submitting the claim');
          ctx.accepted.push(`submit of claim ${claimId}`);
        }
      },
    },
    {
      name: 'finance approves the claim',
      async run() {
        const asked = await settled(ctx, 'the claim\'s approval task', () => ctx.session.as('u-ops').get(`/approvals/claim-${claimId}-1`), (r) => r.status === 200 && r.body.tasks.length > 0);
        claimApprover = asked.body.tasks[0].assigneeId;
        await approveAll(ctx, `claim-${claimId}-1`);
        await settled(ctx, 'the claim approved', claimOf, (c) => c?.status === 'approved' || c?.status === 'paid');
      },
    },
  ];
  let paid: ChaosStep | undefined;
  const claimPaid: ChaosStep = {
    name: 'the ERP pays the claim',
    async run() {
      paid ??= deliverThrice(ctx, 'the ERP\'s Claim.Paid', [{ system: 'erp', key: `claim-paid-${ctx.tag}`, detailType: 'Claim.Paid', detail: { claimId, paidAt: iso(26), amount: eur(800_00), paymentReference: `PAYOUT-${ctx.tag}` } }]);
      await paid.run();
      await settled(ctx, 'the claim paid', claimOf, (c) => c?.status === 'paid');
    },
  };
  const settlement: ChaosStep = {
    name: 'the campaign settles',
    async run() {
      await advanceTo(ctx, at(41));
      await settled(ctx, 'the promotion settled', promotion, reached('settled'));
    },
  };
  // planned before the promotion exists: its ids are read when the step first runs
  let revenue: ReturnType<typeof erpRevenue> | undefined;
  let revenueDeliveries: ChaosStep | undefined;
  const revenueOf = () => (revenue ??= erpRevenue(ctx, iso(22), { order: { promotionId }, payment: { campaignId } }));
  const revenueEvents: ChaosStep = {
    name: 'the ERP\'s order and payment for the promotion',
    run: () => (revenueDeliveries ??= deliverThrice(ctx, 'the ERP\'s order and payment for the promotion', revenueOf().events)).run(),
  };

  const statement = async () => ok(ctx.session.as('u-finance').get(`/funds/${fundId}/statement`), 'the fund statement');
  const ledgerLines = (kind: string): ChaosCheck => ({ what: `the fund's ${kind} line`, count: async () => (await statement()).entries.filter((e: any) => e.kind === kind).length });
  const SALES = async () => 'sales@tradeflow.example';
  const checks: ChaosCheck[] = [
    { what: 'the fund statement balances', count: async () => ((await statement()).balances ? 1 : 2) },
    ledgerLines('allocate'), ledgerLines('reserve'), ledgerLines('spend'),
    { what: 'the claim paid', count: async () => ((await claimOf())?.status === 'paid' ? 1 : 0) },
    approvalMail(ctx, 'the area manager\'s task mail', async () => 'manager.north@tradeflow.example', () => `promotion-${promotionId}-1`, 'Approval needed'),
    approvalMail(ctx, 'the rep\'s mail: the promotion approved', SALES, () => `promotion-${promotionId}-1`, 'Approved'),
    { what: 'the rep\'s mail: please close out', count: () => countMails(ctx, 'sales@tradeflow.example', (m) => m.subject === `Please close out ${name}`) },
    approvalMail(ctx, 'finance\'s task mail for the claim', () => emailOf(ctx, claimApprover), () => `claim-${claimId}-1`, 'Approval needed'),
    approvalMail(ctx, 'the rep\'s mail: the claim approved', SALES, () => `claim-${claimId}-1`, 'Approved'),
  ];
  if (from === 'submit') {
    checks.push(
      ledgerLines('release'),
      { what: 'the promotion settled', count: async () => ((await promotion()).status === 'settled' ? 1 : 0) },
      { what: 'the campaign report counts the ERP payment', count: async () => (await ok(ctx.session.as('u-finance').get(`/campaigns/${campaignId}/report`), 'the report')).payments },
      { what: 'the campaign report counts the ERP order', count: async () => (await ok(ctx.session.as('u-finance').get(`/campaigns/${campaignId}/report`), 'the report')).orders },
      mailToEachOnce(ctx, 'the effect report\'s mail', `Effect report: Chaos campaign ${ctx.tag}`),
      ...erpRevenue(ctx, '').checks,
    );
  }
  return from === 'submit'
    ? { prepare: [prepare], steps: [...firstHalf, revenueEvents, ...claimSteps, claimPaid, settlement], checks }
    : { prepare: [prepare, ...firstHalf], steps: [...claimSteps, claimPaid], checks };
}

/** A discount on a new opportunity that the area manager leaves past its deadline: it escalates, and the one it escalated to approves. */
function approvalPlan(ctx: RunContext): ProcessPlan {
  const sales = ctx.session.as('u-sales');
  const ops = ctx.session.as('u-ops');
  let opportunityId = '';
  let requestId = '';
  let firstApprover = '';
  let escalatedTo = '';
  const view = () => ops.get(`/approvals/${requestId}`);
  const revenue = erpRevenue(ctx, '2026-11-23T10:00:00Z');
  const prepare: ChaosStep = {
    name: 'an opportunity',
    async run() {
      opportunityId = (await ok(sales.post('/opportunities', {
        accountId: await nordicAccountId(ctx), name: `Chaos deal ${ctx.tag}`, stage: 'negotiation', amount: eur(50_000_00), expectedCloseDate: '2027-06-30', probability: 60,
      }), 'the opportunity')).id;
    },
  };
  const steps: ChaosStep[] = [
    {
      name: 'the rep asks for a 5 % discount',
      async run() {
        const mine = (await ok(sales.get('/approvals?limit=100'), 'the rep\'s requests')).items.find((r: any) => r.subject.id === opportunityId);
        if (mine) {
          requestId = mine.requestId;
          return;
        }
        requestId = (await ok(sales.post('/approvals', { subject: { type: 'discount', id: opportunityId, fields: { discountPercent: 5 } } }), 'asking')).requestId;
        ctx.accepted.push(`approval request ${requestId}`);
      },
    },
    deliverThrice(ctx, 'the ERP\'s order and payment for the account', revenue.events),
    {
      name: 'its deadline passes: it escalates',
      async run() {
        const asked = await settled(ctx, 'the area manager\'s task', view, (r) => r.status === 200 && r.body.tasks.length > 0);
        const first = asked.body.tasks[0];
        firstApprover = first.assigneeId;
        await advanceTo(ctx, Date.parse(first.dueAt) + 60_000);
        const escalated = await settled(ctx, 'the escalation', view, (r) => r.body.tasks.some((t: any) => t.status === 'escalated') && r.body.tasks.length > 1);
        escalatedTo = escalated.body.tasks.find((t: any) => t.status !== 'escalated').assigneeId;
      },
    },
    {
      name: 'the one it escalated to approves',
      async run() {
        await approveAll(ctx, requestId);
        await settled(ctx, 'the request approved', view, (r) => r.body.request.status === 'approved');
      },
    },
  ];
  const audit = async () => (await ok(ops.get(`/approvals/${requestId}/audit`), 'the audit')).items as { action: string }[];
  const checks: ChaosCheck[] = [
    { what: 'the request approved', count: async () => ((await view()).body.request.status === 'approved' ? 1 : 0) },
    { what: 'the escalation in the audit trail', count: async () => (await audit()).filter((a) => a.action === 'escalated').length },
    {
      what: 'the escalated task',
      count: async () => (await view()).body.tasks.filter((t: any) => t.status === 'escalated').length,
    },
    approvalMail(ctx, 'the area manager\'s task mail', () => emailOf(ctx, firstApprover), () => requestId, 'Approval needed'),
    approvalMail(ctx, 'the escalation mail', () => emailOf(ctx, escalatedTo), () => requestId, 'Escalated to you'),
    approvalMail(ctx, 'the rep\'s mail: approved', async () => 'sales@tradeflow.example', () => requestId, 'Approved'),
    ...revenue.checks,
  ];
  return { prepare: [prepare], steps, checks };
}

async function emailOf(ctx: RunContext, userId: string): Promise<string> {
  return (await ok(ctx.session.as('u-admin').get(`/users/${userId}`), `user ${userId}`)).email;
}

/** A web-form lead enrolled in a welcome sequence, who opens its follow-up: the enrolment completes. */
function nurturePlan(ctx: RunContext): ProcessPlan {
  const marketing = ctx.session.as('u-marketing');
  const sequenceId = `chaos-${ctx.tag}`;
  const formId = `webinar-${ctx.tag}`;
  const email = `lead-${ctx.tag}@example.com`;
  let monday = 0;
  const leads = async () => (await ok(marketing.get(`/leads?q=${encodeURIComponent(email)}`), 'the leads')).items as { id: string; status: string; score: number }[];
  const enrolments = async () => {
    const [lead] = await leads();
    return lead ? ((await ok(marketing.get(`/nurture/leads/${lead.id}`), 'the enrolments')).enrolments as { status: string; timeline: { summary: string; until?: string }[] }[]) : [];
  };
  const mailsOf = (template: string) => async () => (await mailsTo(ctx, email)).filter((m) => m.template?.name === template);
  const base = sampleWelcomeSequence(sequenceId);
  const prepare: ChaosStep = {
    name: 'an active welcome sequence for the form',
    async run() {
      await ok(marketing.post('/nurture/sequences', { ...base, trigger: { ...base.trigger, eventCondition: { field: 'formId', op: 'eq', value: formId } } }), 'the sequence');
      await ok(marketing.post(`/nurture/sequences/${sequenceId}/lifecycle`, { action: 'activate' }), 'activating it');
      // next Monday 09:00 UTC: inside the send window in Berlin
      const next = new Date(await clockNow(ctx) + 7 * DAY_MS);
      next.setUTCDate(next.getUTCDate() - ((next.getUTCDay() + 6) % 7));
      monday = Date.parse(`${next.toISOString().slice(0, 10)}T09:00:00Z`);
      await advanceTo(ctx, monday);
    },
  };
  let capture: ChaosStep | undefined;
  const steps: ChaosStep[] = [
    {
      name: 'the web form captures the lead',
      async run() {
        capture ??= deliverThrice(ctx, 'the web form\'s Lead.Captured', [{
          system: 'web-forms', key: `lead-${ctx.tag}`, detailType: 'Lead.Captured',
          detail: { formId, capturedAt: new Date(monday).toISOString(), firstName: 'Chaos', lastName: `Lead ${ctx.tag}`, email, timeZone: 'Europe/Berlin', consent: { marketing: true } },
        }]);
        await capture.run();
        await settled(ctx, 'the welcome mail', mailsOf('nurture-welcome'), (m) => m.length > 0);
      },
    },
    {
      name: 'two working days pass: the follow-up goes',
      async run() {
        const [enrolment] = await settled(ctx, 'the enrolment\'s wait', enrolments, (e) => Boolean(e[0]?.timeline.some((t) => t.until)));
        await advanceTo(ctx, Date.parse(enrolment!.timeline.find((t) => t.until)!.until!));
        await settled(ctx, 'the follow-up mail', mailsOf('nurture-follow-up'), (m) => m.length > 0);
      },
    },
    {
      name: 'the lead opens the follow-up',
      async run() {
        const [enrolment] = await enrolments();
        if (!enrolment?.timeline.some((t) => t.summary === 'the mail of follow-up was opened')) {
          const [followUp] = await mailsOf('nurture-follow-up')();
          await ctx.session.edge(`/_local/ses/messages/${followUp!.id}/open`, 'POST');
        }
        await settled(ctx, 'the enrolment completed', enrolments, (e) => e[0]?.status === 'completed');
        await settled(ctx, 'the lead nurtured', leads, (l) => l[0]?.status === 'nurtured');
      },
    },
  ];
  const summaries = async () => (await enrolments())[0]?.timeline.map((t) => t.summary) ?? [];
  const entryOnce = (summary: string): ChaosCheck => ({ what: `the timeline entry "${summary}"`, count: async () => (await summaries()).filter((s) => s === summary).length });
  const checks: ChaosCheck[] = [
    { what: 'the lead', count: async () => (await leads()).length },
    { what: 'the enrolment', count: async () => (await enrolments()).length },
    { what: 'the enrolment completed', count: async () => ((await enrolments())[0]?.status === 'completed' ? 1 : 0) },
    { what: 'the lead nurtured with score 40', count: async () => { const [lead] = await leads(); return lead?.status === 'nurtured' ? (lead.score === 40 ? 1 : 2) : 0; } },
    ...['nurture-welcome', 'nurture-follow-up', 'nurture-offer'].map((template) => ({ what: `the mail ${template}`, count: async () => (await mailsOf(template)()).length })),
    ...['enrolled in version 1 by Lead.Captured', 'sent the mail of welcome (nurture-welcome)', 'sent the mail of follow-up (nurture-follow-up)',
      'the mail of follow-up was opened', 'sent the mail of offer (nurture-offer)', 'completed the sequence'].map(entryOnce),
    { what: 'no timeline entry twice', count: async () => { const all = await summaries(); return new Set(all).size === all.length ? 1 : 2; } },
  ];
  return { prepare: [prepare], steps, checks };
}

export const CHAOS_PROCESSES = {
  promotion: (ctx: RunContext) => promotionPlan(ctx, 'submit'),
  claim: (ctx: RunContext) => promotionPlan(ctx, 'claim'),
  approval: approvalPlan,
  nurture: nurturePlan,
} satisfies Record<string, (ctx: RunContext) => ProcessPlan>;
export type ChaosProcessName = keyof typeof CHAOS_PROCESSES;
export const CHAOS_PROCESS_NAMES = Object.keys(CHAOS_PROCESSES) as ChaosProcessName[];

/** Runs a step, again from its start after a kill cut it off; a LostEffect or any other failure ends the run. */
async function runStep(session: ChaosSession, step: ChaosStep): Promise<void> {
  for (;;) {
    const killsBefore = session.kills();
    try {
      await step.run();
      return;
    } catch (error) {
      if (error instanceof LostEffect || session.kills() === killsBefore) throw error;
      await session.runtime();
    }
  }
}

/**
 * One seeded run of `process` on the session: its steps driven while the runtime is killed with -9 once,
 * at the seed's step and a delay into it, then its invariants counted.
 */
export async function runChaos(session: ChaosSession, process: ChaosProcessName, seed: number): Promise<ChaosRunReport> {
  const tag = `${process.slice(0, 3)}${seed.toString(36)}${session.kills().toString(36)}`;
  const ctx: RunContext = { session, tag, seed, tried: [], accepted: [] };
  const report: ChaosRunReport = { process, seed, tried: ctx.tried, held: [], lost: [], doubled: [], errors: [] };
  const plan = CHAOS_PROCESSES[process](ctx);
  // unbiased: fast-check leans to small values, and a kill always at the start of a step would try little
  const [kill] = fc.sample(fc.noBias(fc.record({ step: fc.nat({ max: plan.steps.length - 1 }), afterMs: fc.nat({ max: MAX_KILL_DELAY_MS }) })), { seed, numRuns: 1 });
  ctx.tried.push(`kill -9 planned ${kill!.afterMs} ms into step ${kill!.step + 1} of ${plan.steps.length} ("${plan.steps[kill!.step]!.name}")`);
  try {
    for (const step of plan.prepare) await runStep(session, step);
  } catch (error) {
    report.errors.push(`preparing: ${(error as Error).message}`);
    return report;
  }
  let running = '';
  let killing: Promise<void> | undefined;
  try {
    for (const [index, step] of plan.steps.entries()) {
      running = step.name;
      if (index === kill!.step) {
        killing = sleep(kill!.afterMs).then(() => {
          ctx.tried.push(`killed with -9 during "${running}"`);
          return session.killAndRestart();
        });
      }
      await runStep(session, step);
    }
    running = 'the end of the run (nothing left to drive)';
    await killing;
  } catch (error) {
    await killing;
    if (error instanceof LostEffect) report.lost.push(`${running}: ${error.message}`);
    else report.errors.push(`${running}: ${(error as Error).message}`);
  }
  // what the restarted runtime still had to do (a Wait due, a delivery retried) is done before counting
  await session.edge('/_local/idle?waitSeconds=30');
  for (const check of plan.checks) {
    try {
      const count = await check.count();
      if (count === 1) report.held.push(check.what);
      else if (count === 0) report.lost.push(check.what);
      else report.doubled.push(`${check.what} (${count} times)`);
    } catch (error) {
      report.errors.push(`checking ${check.what}: ${(error as Error).message}`);
    }
  }
  ctx.tried.push(`${ctx.accepted.length} requests accepted (${ctx.accepted.join(', ')})`);
  return report;
}

/** A run's report in lines: what it tried, then what held and what did not. */
export function describeRun(run: ChaosRunReport): string[] {
  return [
    `${run.process} seed ${run.seed}: ${run.lost.length} lost, ${run.doubled.length} doubled, ${run.held.length} held`,
    ...run.tried.map((t) => `  tried: ${t}`),
    ...run.held.map((h) => `  held: ${h}`),
    ...run.lost.map((l) => `  LOST: ${l}`),
    ...run.doubled.map((d) => `  DOUBLED: ${d}`),
    ...run.errors.map((e) => `  driver error: ${e}`),
  ];
}
