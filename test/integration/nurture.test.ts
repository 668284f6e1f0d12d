import { createHash } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordKey } from '../../schemas/keys';
import { loadCloudAssembly } from '../../local/assembly/cloud-assembly';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { DEFAULT_CDK_OUT } from '../../local/synth';
import { sampleWelcomeSequence } from '../../local/seed/welcome-sequence';
import type { NurtureSequenceInput } from '../../schemas/nurture/sequence';
import { launchBrowser } from './support/browser';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * Lead nurturing against the whole local runtime: sequences made through the API by marketing, leads
 * captured as the web forms send them, mail read from the local SES, opens and clicks simulated there,
 * business time passed with the local clock (never slept).
 */
let crm: LocalCrm;
let events: EventBridgeClient;
let sfn: SFNClient;
const HOUR = 3600;
const DAY = 24 * HOUR;
const MACHINE = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:tradeflow-nurture`;

const client = <T>(Client: new (config: object) => T): T => new Client({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
/** The function the nurture router's queue feeds (its event source mapping in the template). */
const routerFunction = () => {
  const resources = loadCloudAssembly(DEFAULT_CDK_OUT).stacks[0]!.resources;
  const mapping = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties).includes('NurtureRouter'));
  return String((mapping!.Properties!.FunctionName as { Ref: string }).Ref);
};
const leadIdOf = (email: string) => `lead-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}`;

interface Mail { id: string; timestamp: string; subject: string; html?: string; text?: string; headers: { name: string; value: string }[]; template?: { name?: string } }
const mailsTo = async (email: string): Promise<Mail[]> =>
  ((await (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${encodeURIComponent(email)}`)).json()) as Mail[]).reverse();
const templatesTo = async (email: string) => (await mailsTo(email)).map((m) => m.template?.name);
const untilMails = (email: string, n: number) => crm.eventually(() => mailsTo(email), (m) => m.length >= n);
const nowMs = async () => ((await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json()) as { epochMillis: number }).epochMillis;

/** Moves the local clock to the next time it is `weekday` (1 = Monday) hh:mm in Berlin (UTC+1 in winter; the tests run in November-March dates only if so). */
async function advanceTo(target: Date) {
  const seconds = (target.getTime() - (await nowMs())) / 1000;
  if (seconds > 0) await crm.advanceClock(seconds);
}
const berlinOffsetMs = (at: Date) => {
  const local = new Date(at.toLocaleString('en-US', { timeZone: 'Europe/Berlin' }));
  const utc = new Date(at.toLocaleString('en-US', { timeZone: 'UTC' }));
  return local.getTime() - utc.getTime();
};
/** The next Monday 10:00 in Berlin from the local clock's now. */
async function nextMonday(hour = 10) {
  const now = new Date(await nowMs());
  const offset = berlinOffsetMs(now);
  const local = new Date(now.getTime() + offset);
  const days = ((8 - local.getUTCDay()) % 7) || 7;
  const monday = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, hour);
  return new Date(monday - berlinOffsetMs(new Date(monday)));
}
const berlin = (iso: string) => new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', weekday: 'long', hour: '2-digit', minute: '2-digit' });

async function capture(email: string, formId: string, options: { consent?: boolean; capturedAt?: string } = {}) {
  const detail = {
    formId, capturedAt: options.capturedAt ?? new Date(await nowMs()).toISOString(), firstName: 'Test', lastName: email.split('@')[0],
    email, company: 'Test Shop', region: 'North', timeZone: 'Europe/Berlin', consent: { marketing: options.consent ?? true },
  };
  const result = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.web-forms', DetailType: 'Lead.Captured', Detail: JSON.stringify(detail) }] }));
  expect(result.FailedEntryCount).toBe(0);
  return detail;
}

const nurtureOf = async (email: string) => (await crm.as('u-marketing').get(`/nurture/leads/${leadIdOf(email)}`)).body;
const enrolmentsOf = async (email: string) => {
  const view = await nurtureOf(email);
  return (view?.enrolments ?? []) as { enrolmentId: string; sequenceId: string; status: string; exitReason?: string; timeline: { what: string; until?: string }[] }[];
};
let lastEnrolment: string | undefined;
/** until the enrolment has entered its n-th wait (the step has computed when the wait ends) */
async function untilWaiting(email: string, n: number) {
  const enrolments = await crm.eventually(() => enrolmentsOf(email), (e) => (e[0]?.timeline.filter((t) => t.what === 'waiting').length ?? 0) >= n);
  lastEnrolment = enrolments[0]?.enrolmentId;
  return enrolments;
}
const untilEnrolment = (email: string, done: (e: Awaited<ReturnType<typeof enrolmentsOf>>) => boolean) => crm.eventually(() => enrolmentsOf(email), done);
const executionStatus = async (enrolmentId: string) =>
  (await sfn.send(new DescribeExecutionCommand({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${enrolmentId}` }))).status;

async function launch(sequence: NurtureSequenceInput) {
  const made = await crm.as('u-marketing').post('/nurture/sequences', sequence);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const active = await crm.as('u-marketing').post(`/nurture/sequences/${sequence.id}/lifecycle`, { action: 'activate' });
  expect(active.status, JSON.stringify(active.body)).toBe(200);
}
const onForm = (formId: string) => ({ event: 'Lead.Captured' as const, eventCondition: { field: 'formId', op: 'eq' as const, value: formId }, assignCapturedLeadsTo: 'u-sales' });

beforeAll(async () => {
  crm = await startLocalCrm();
  events = client(EventBridgeClient);
  sfn = client(SFNClient);
  await launch(sampleWelcomeSequence('welcome'));
});
afterAll(async () => {
  events?.destroy();
  sfn?.destroy();
  await crm?.stop();
});

describe('managing sequences', () => {
  it('refuses a bad sequence with 400 naming the field, and sales may not create one', async () => {
    const bad = sampleWelcomeSequence('bad');
    bad.steps[3] = { id: 'opened', type: 'wait-for-engagement', mailStep: 'follow-up', engagement: 'opened', withinDays: 3, yes: 'nowhere', no: 'reminder' };
    const refused = await crm.as('u-marketing').post('/nurture/sequences', bad);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body.steps.3.yes', message: 'names no step "nowhere"' }));
    expect((await crm.as('u-sales').post('/nurture/sequences', sampleWelcomeSequence('mine'))).status).toBe(403);
  });

  it('dry-runs a document: the path and when each mail goes', async () => {
    const run = await crm.as('u-marketing').post('/nurture/dry-run', {
      sequence: sampleWelcomeSequence('dry'), lead: { email: 'x@example.com', timeZone: 'Europe/Berlin', marketingConsent: { status: 'given' } },
      startAt: '2026-11-23T10:00:00Z', engagement: { opened: 'none' },
    });
    expect(run.status).toBe(200);
    expect(run.body.mails.map((m: { stepId: string }) => m.stepId)).toEqual(['welcome', 'follow-up', 'reminder']);
  });

  it('an edit is a new version; the sequence says which one enrols', async () => {
    const edited = await crm.as('u-marketing').post('/nurture/sequences/welcome/versions', sampleWelcomeSequence('welcome', { name: 'Webinar welcome v2' }));
    expect(edited.status).toBe(201);
    const read = await crm.as('u-marketing').get('/nurture/sequences/welcome');
    expect(read.body).toMatchObject({ latestVersion: 2, activeVersion: 1, status: 'active' });
    expect(read.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });
});

describe('a three-mail sequence', () => {
  it('takes the yes branch when the follow-up is opened: score, offer, completed', async () => {
    await advanceTo(await nextMonday());
    const email = 'opens@example.com';
    await capture(email, 'webinar');
    expect((await untilMails(email, 1)).map((m) => m.template?.name)).toEqual(['nurture-welcome']);
    await untilWaiting(email, 1);
    await crm.advanceClock(2 * DAY);
    const twoMails = await untilMails(email, 2);
    expect(twoMails.map((m) => m.template?.name)).toEqual(['nurture-welcome', 'nurture-follow-up']);
    expect(berlin(twoMails[1]!.timestamp)).toMatch(/^Wednesday/);
    // the lead opens the follow-up: the waiting step resumes at once, no clock needed
    const open = await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages/${twoMails[1]!.id}/open`, { method: 'POST' });
    expect(open.status).toBe(200);
    expect((await untilMails(email, 3)).map((m) => m.template?.name)).toEqual(['nurture-welcome', 'nurture-follow-up', 'nurture-offer']);
    // the enrolment is marked completed and its timeline says so, in one write
    const [enrolment] = await untilEnrolment(email, (e) => e[0]?.timeline.some((t) => t.what === 'completed') ?? false);
    expect(enrolment!.status).toBe('completed');
    expect(enrolment!.timeline.map((t) => t.what)).toEqual(expect.arrayContaining(['enrolled', 'mail-sent', 'mail-opened', 'score-opened', 'score-step', 'completed']));
    // out of nurture without qualifying: nurtured, for its owner to follow up
    const lead = await crm.eventually(() => crm.as('u-sales').get(`/leads/${leadIdOf(email)}`), (r) => r.body.status !== 'nurturing');
    expect(lead.body).toMatchObject({ score: 40, status: 'nurtured', ownerId: 'u-sales' });
  });

  it('takes the no branch when nothing is opened: the reminder waits for Monday\'s window', async () => {
    await advanceTo(await nextMonday());
    const email = 'ignores@example.com';
    await capture(email, 'webinar');
    await untilMails(email, 1);
    await untilWaiting(email, 1);
    await crm.advanceClock(2 * DAY);
    await untilMails(email, 2);
    // the engagement wait has parked its task token: its timeout runs from now
    await crm.eventually(() => crm.allItems(), (items) => items.some((i) => i.sk === 'STEP#follow-up' && i.awaitToken && String(i.pk).includes((lastEnrolment ?? '') || '?')));
    // three days after Wednesday 10:00 is Saturday: no mail over the weekend
    await crm.advanceClock(4 * DAY + 12 * HOUR);
    await crm.untilIdle();
    expect(await templatesTo(email)).toEqual(['nurture-welcome', 'nurture-follow-up']);
    await advanceTo(await nextMonday(9));
    const mails = await untilMails(email, 3);
    expect(mails.map((m) => m.template?.name)).toEqual(['nurture-welcome', 'nurture-follow-up', 'nurture-reminder']);
    expect(berlin(mails[2]!.timestamp)).toMatch(/^Monday.* 09:0/);
  });
});

describe('a step run again (its attempt died after it committed, or timed out)', () => {
  const runStepFunction = () => Object.entries(loadCloudAssembly(DEFAULT_CDK_OUT).stacks[0]!.resources)
    .find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes('NurtureRunStepFunction'))![0];
  const runStepAgain = async (enrolmentId: string, stepId: string) => {
    const { Payload, FunctionError } = await client(LambdaClient).send(new InvokeCommand({
      FunctionName: runStepFunction(), Payload: Buffer.from(JSON.stringify({ enrolmentId, stepId })),
    }));
    expect(FunctionError).toBeUndefined();
    return JSON.parse(Buffer.from(Payload!).toString()) as { stepId: string; action: string; waitUntil?: string; timeoutSeconds?: number };
  };

  it('does nothing twice: no second mail or timeline line, and the same next step and time as the first attempt', async () => {
    await advanceTo(await nextMonday());
    const email = 'retried@example.com';
    await capture(email, 'webinar');
    await untilMails(email, 1);
    const [waiting] = await untilWaiting(email, 1);
    const firstUntil = waiting!.timeline.find((t) => t.what === 'waiting')!.until;
    await crm.untilIdle();
    // a second attempt of the welcome step, a while later
    await crm.advanceClock(HOUR);
    const again = await runStepAgain(waiting!.enrolmentId, 'welcome');
    expect(again).toMatchObject({ stepId: 'follow-up', action: 'wait', waitUntil: firstUntil });
    await crm.untilIdle();
    const [after] = await enrolmentsOf(email);
    expect(after!.timeline.map((t) => t.what)).toEqual(waiting!.timeline.map((t) => t.what));
    expect(await templatesTo(email)).toEqual(['nurture-welcome']);

    // on to the engagement wait: its deadline, and its line, are the first attempt's
    await crm.advanceClock(2 * DAY);
    await untilMails(email, 2);
    const [awaiting] = await untilEnrolment(email, (e) => e[0]?.timeline.some((t) => t.what === 'waiting-for-engagement') ?? false);
    const deadline = awaiting!.timeline.find((t) => t.what === 'waiting-for-engagement')!.until!;
    await crm.untilIdle();
    await crm.advanceClock(HOUR);
    const awaitAgain = await runStepAgain(awaiting!.enrolmentId, 'opened');
    expect(awaitAgain.action).toBe('await');
    expect(await nowMs() + awaitAgain.timeoutSeconds! * 1000).toBeLessThanOrEqual(Date.parse(deadline) + 2000);
    const [later] = await enrolmentsOf(email);
    expect(later!.timeline.filter((t) => t.what === 'waiting-for-engagement')).toHaveLength(1);

    // the lead opens the follow-up and completes the sequence: nurtured
    const [, followUp] = await mailsTo(email);
    expect((await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages/${followUp!.id}/open`, { method: 'POST' })).status).toBe(200);
    await untilEnrolment(email, (e) => e[0]?.status === 'completed');
    await crm.eventually(() => crm.as('u-sales').get(`/leads/${leadIdOf(email)}`), (r) => r.body.status === 'nurtured');
    await crm.untilIdle();
    // as an attempt that died after the end committed and before the lead moved on leaves it; its step runs again
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: crm.runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    await documents.send(new UpdateCommand({
      TableName: crm.runtime.tableName, Key: recordKey('LEAD', leadIdOf(email)),
      UpdateExpression: 'SET #status = :nurturing', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':nurturing': 'nurturing' },
    }));
    documents.destroy();
    expect(await runStepAgain(awaiting!.enrolmentId, 'done')).toMatchObject({ action: 'end' });
    expect((await crm.as('u-sales').get(`/leads/${leadIdOf(email)}`)).body.status).toBe('nurtured');
  });
});

describe('send windows', () => {
  it('a wait that ends Saturday 03:00 in the lead\'s zone sends Monday at the window start', async () => {
    await launch({
      id: 'weekend', name: 'Weekend wait', trigger: onForm('weekend'), reentry: 'never',
      steps: [{ id: 'hold', type: 'wait', duration: { amount: 113, unit: 'hours' } }, { id: 'mail', type: 'send-mail', template: 'nurture-welcome' }],
    });
    const monday = await nextMonday();
    await advanceTo(monday);
    const email = 'weekend@example.com';
    await capture(email, 'weekend');
    await untilEnrolment(email, (e) => e[0]?.timeline.some((t) => t.what === 'waiting') ?? false);
    const timeline = (await enrolmentsOf(email))[0]!.timeline as { what: string; until?: string }[];
    expect(berlin(timeline.find((t) => t.what === 'waiting')!.until!)).toMatch(/^Monday.* 09:00/);
    await advanceTo(new Date(monday.getTime() + 113 * HOUR * 1000 + 30 * 60_000)); // Saturday 03:30
    await crm.untilIdle();
    expect(await mailsTo(email)).toEqual([]);
    await advanceTo(await nextMonday(9));
    const [mail] = await untilMails(email, 1);
    expect(berlin(mail!.timestamp)).toMatch(/^Monday.* 09:00/);
  });
});

describe('exits', () => {
  it('a conversion stops the enrolment at once, attributed to the sequence and its campaign', async () => {
    await advanceTo(await nextMonday());
    const email = 'converts@example.com';
    await capture(email, 'webinar');
    await untilMails(email, 1);
    const lead = await crm.as('u-sales').get(`/leads/${leadIdOf(email)}`);
    const patched = await crm.as('u-sales').patch(`/leads/${lead.body.id}`, { version: lead.body.version, status: 'converted' });
    expect(patched.status).toBe(200);
    const [enrolment] = await untilEnrolment(email, (e) => e[0]?.status === 'exited');
    expect(enrolment).toMatchObject({ status: 'exited', exitReason: 'converted' });
    expect(await crm.eventually(() => executionStatus(enrolment!.enrolmentId), (s) => s === 'ABORTED')).toBe('ABORTED');
    await crm.advanceClock(7 * DAY);
    await crm.untilIdle();
    expect(await templatesTo(email)).toEqual(['nurture-welcome']);
    const conversions = (await crm.allItems()).filter((i) => i.pk === 'CAMPAIGN_CONVERSIONS#c-webinar-2026');
    expect(conversions).toEqual([expect.objectContaining({ sequenceId: 'welcome', leadId: leadIdOf(email) })]);
  });

  it('the unsubscribe link works without login, refuses a forged token, and stops every sequence', async () => {
    await advanceTo(await nextMonday());
    const email = 'leaves@example.com';
    await capture(email, 'webinar');
    const [mail] = await untilMails(email, 1);
    const header = mail!.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    expect(mail!.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    const token = /\/unsubscribe\/([^>]+)>/.exec(header)?.[1];
    expect(token).toBeDefined();
    expect(mail!.html).toContain(token);

    const [payload] = token!.split('.');
    const forged = await crm.anonymous.post(`/unsubscribe/${payload}.${'A'.repeat(43)}`, {});
    expect(forged.status).toBe(400);
    expect(forged.body.detail).toContain('bad-signature');
    expect((await enrolmentsOf(email))[0]!.status).toBe('active');

    const done = await crm.anonymous.post(`/unsubscribe/${token}`, {});
    expect(done.status).toBe(200);
    const [enrolment] = await enrolmentsOf(email);
    expect(enrolment).toMatchObject({ status: 'exited', exitReason: 'unsubscribed' });
    expect(await executionStatus(enrolment!.enrolmentId)).toBe('ABORTED');
    const lead = await crm.eventually(() => crm.as('u-sales').get(`/leads/${leadIdOf(email)}`), (r) => r.body.status !== 'nurturing');
    expect(lead.body).toMatchObject({ status: 'nurtured', marketingConsent: { status: 'withdrawn' } });
    await crm.advanceClock(7 * DAY);
    await crm.untilIdle();
    expect(await templatesTo(email)).toEqual(['nurture-welcome']);
  });

  it('a bounce ends every enrolment of the lead, suppresses its address and leaves it nurtured; a converted lead stays converted', async () => {
    await advanceTo(await nextMonday());
    const email = 'bounce+nurture@simulator.amazonses.com';
    await capture(email, 'webinar');
    const [enrolment] = await untilEnrolment(email, (e) => e[0]?.status === 'exited');
    expect(enrolment).toMatchObject({ exitReason: 'bounced' });
    const lead = await crm.eventually(() => crm.as('u-sales').get(`/leads/${leadIdOf(email)}`), (r) => r.body.status !== 'nurturing');
    expect(lead.body.status).toBe('nurtured');
    // the lead who converted earlier in this file is left as sales set it
    expect((await crm.as('u-sales').get(`/leads/${leadIdOf('converts@example.com')}`)).body.status).toBe('converted');
  });

  it('a person clicking the unsubscribe link in the mail gets a page to confirm on (opening it changes nothing), in a real browser', async () => {
    await advanceTo(await nextMonday());
    const email = 'clicks-away@example.com';
    await capture(email, 'webinar');
    const [mail] = await untilMails(email, 1);
    const link = /https?:\/\/\S+\/unsubscribe\/[A-Za-z0-9_.-]+/.exec(mail!.text ?? '')?.[0];
    expect(link).toBeDefined();

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const opened = await page.goto(link!);
      expect(opened?.status()).toBe(200);
      expect(await page.textContent('body')).toContain('c***y@example.com');
      expect((await enrolmentsOf(email))[0]!.status).toBe('active');

      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(await page.textContent('body')).toContain('You are unsubscribed');
      expect((await enrolmentsOf(email))[0]).toMatchObject({ status: 'exited', exitReason: 'unsubscribed' });

      await page.goto(link!);
      expect(await page.textContent('body')).toContain('gets no marketing mail from us any more');
      const forged = await page.goto(link!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
      expect(forged?.status()).toBe(400);
      expect(await page.textContent('body')).toContain('not valid');
    } finally {
      await browser.close();
    }
  });
});

describe('mail that respects people', () => {
  it('sends no mail without consent, and says why the lead was not enrolled', async () => {
    const email = 'no-consent@example.com';
    await capture(email, 'webinar', { consent: false });
    const view = await crm.eventually(() => nurtureOf(email), (v) => (v?.notEnrolled?.length ?? 0) > 0);
    expect(view.enrolments).toEqual([]);
    expect(view.notEnrolled[0]).toMatchObject({ sequenceId: 'welcome', reasons: ['the lead has not given marketing consent (consent is unknown)'] });
    await crm.untilIdle();
    expect(await mailsTo(email)).toEqual([]);
  });

  it('a duplicate Lead.Captured enrols once, and a retried send step mails once', async () => {
    await advanceTo(await nextMonday());
    const email = 'twice@example.com';
    const first = await capture(email, 'webinar');
    await capture(email, 'webinar', { capturedAt: first.capturedAt });
    await untilMails(email, 1);
    await crm.untilIdle();
    const enrolments = await enrolmentsOf(email);
    expect(enrolments).toHaveLength(1);
    expect(await mailsTo(email)).toHaveLength(1);

    // the step task again with the same input, as a Step Functions retry would send it
    const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE }));
    const functionName = (JSON.parse(definition!).States['Run step'].Resource as string).split(':')[6];
    const lambda = client(LambdaClient);
    const retried = await lambda.send(new InvokeCommand({
      FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ enrolmentId: enrolments[0]!.enrolmentId, stepId: 'welcome', resume: {} })),
    }));
    lambda.destroy();
    expect(retried.FunctionError).toBeUndefined();
    // the mail goes out through the outbox's relay: wait for it to be done before saying nothing more came
    await crm.untilIdle();
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    // the step's claim is the mail's tracker: the relay marked it sent with SES's message id
    const claim = (await crm.allItems()).find((i) => i.pk === `NURTURE_ENROLMENT#${enrolments[0]!.enrolmentId}` && i.sk === 'STEP#welcome');
    expect(claim).toMatchObject({ status: 'sent', messageId: mails[0]!.id });
  });
});

describe('re-entry', () => {
  it('never, after exit and any time (with a cap) each decide a second capture as they say', async () => {
    const steps = (wait: boolean) => [
      { id: 'hello', type: 'send-mail' as const, template: 'nurture-welcome' },
      ...(wait ? [{ id: 'hold', type: 'wait' as const, duration: { amount: 10, unit: 'days' as const } }] : []),
    ];
    await launch({ id: 'once', name: 'Once', trigger: onForm('once'), reentry: 'never', steps: steps(false) });
    await launch({ id: 'again', name: 'Again after exit', trigger: onForm('again'), reentry: 'after-exit', steps: steps(false) });
    await launch({ id: 'capped', name: 'Any time, one at a time', trigger: onForm('capped'), reentry: 'any-time', maxActivePerLead: 1, steps: steps(true) });
    await advanceTo(await nextMonday());
    for (const form of ['once', 'again', 'capped']) {
      const email = `${form}@example.com`;
      await capture(email, form);
      await untilEnrolment(email, (e) => e.length === 1 && (form === 'capped' || e[0]!.status === 'completed'));
      await crm.advanceClock(60);
      await capture(email, form);
    }
    const settled = async (email: string) => crm.eventually(() => nurtureOf(email), (v) => v.enrolments.length === 2 || v.notEnrolled.length === 1);
    expect((await settled('once@example.com')).notEnrolled[0].reasons).toEqual(['the lead was enrolled before and the sequence allows no re-entry']);
    expect((await settled('again@example.com')).enrolments).toHaveLength(2);
    expect((await settled('capped@example.com')).notEnrolled[0].reasons[0]).toContain('the most this sequence allows (1)');
  });

  it('holds the cap when several captures of one lead reach the router at the same moment', async () => {
    await launch({
      id: 'rush', name: 'One at a time, rushed', trigger: onForm('rush'), reentry: 'any-time', maxActivePerLead: 1,
      steps: [{ id: 'hello', type: 'send-mail', template: 'nurture-welcome' }, { id: 'hold', type: 'wait', duration: { amount: 10, unit: 'days' } }],
    });
    await advanceTo(await nextMonday());
    const email = 'rush@example.com';
    const at = await nowMs();
    // the queue hands the router batches; five batches of one at once are the race, and what a batch
    // hands back (a lead made by another at that moment) is delivered again, as the queue would
    const lambda = client(LambdaClient);
    const deliver = async (n: number): Promise<void> => {
      const body = JSON.stringify({
        version: '0', id: `rush-${n}`, source: 'ext.web-forms', 'detail-type': 'Lead.Captured', account: '000000000000', time: new Date(at).toISOString(), region: LOCAL_REGION, resources: [],
        detail: {
          formId: 'rush', capturedAt: new Date(at + n * 1000).toISOString(), firstName: 'Test', lastName: 'Rush', email,
          company: 'Test Shop', region: 'North', timeZone: 'Europe/Berlin', consent: { marketing: true },
        },
      });
      const reply = await lambda.send(new InvokeCommand({ FunctionName: routerFunction(), Payload: Buffer.from(JSON.stringify({ Records: [{ messageId: `rush-${n}`, body }] })) }));
      expect(reply.FunctionError).toBeUndefined();
      const { batchItemFailures } = JSON.parse(Buffer.from(reply.Payload!).toString('utf8')) as { batchItemFailures: unknown[] };
      if (batchItemFailures.length > 0) await deliver(n);
    };
    await Promise.all(Array.from({ length: 5 }, (_, n) => deliver(n)));
    lambda.destroy();
    const view = await nurtureOf(email);
    expect(view.enrolments).toHaveLength(1);
    expect(view.enrolments[0].status).toBe('active');
    expect(view.notEnrolled[0].reasons[0]).toMatch(/the most this sequence allows \(1\)|at the same moment/);
    expect(await untilMails(email, 1)).toHaveLength(1);
    // the sequence ends with its wait: the enrolment completes when the wait does, not when it starts
    await crm.advanceClock(11 * DAY);
    await untilEnrolment(email, (e) => e[0]?.status === 'completed');
  });
});

describe('scoring and hand-off', () => {
  it('crossing the MQL threshold qualifies the lead and creates the opportunity for its owner', async () => {
    await launch({
      id: 'hot', name: 'Hot leads', campaignId: 'c-hot', trigger: onForm('hot'), reentry: 'never',
      scoring: { opened: 5, clicked: 10, mqlThreshold: 50, handOff: { task: { subject: 'Call the hot lead' }, opportunity: { name: 'Hot lead deal', amount: { amountMinor: 100_000, currency: 'EUR' }, probability: 25, closesInDays: 30 } } },
      steps: [{ id: 'hello', type: 'send-mail', template: 'nurture-welcome' }, { id: 'boost', type: 'change-score', by: 60 }],
    });
    await advanceTo(await nextMonday());
    const email = 'hot@example.com';
    await capture(email, 'hot');
    await untilEnrolment(email, (e) => e[0]?.status === 'completed');
    const lead = await crm.as('u-sales').get(`/leads/${leadIdOf(email)}`);
    expect(lead.body).toMatchObject({ status: 'qualified', score: 60 });
    const opportunities = await crm.as('u-sales').get('/opportunities?ownerId=u-sales&limit=100');
    const deal = opportunities.body.items.find((o: { name: string }) => o.name === 'Hot lead deal');
    expect(deal).toMatchObject({ accountId: lead.body.accountId, stage: 'qualification', amount: { amountMinor: 100_000, currency: 'EUR' } });
    const tasks = await crm.as('u-sales').get(`/activities?leadId=${lead.body.id}`);
    expect(tasks.body.items.map((a: { type: string; subject: string }) => `${a.type}: ${a.subject}`)).toEqual(expect.arrayContaining(['task: Call the hot lead', expect.stringMatching(/^note: Lead .* is qualified/)]));
    const qualified = await crm.eventually(() => crm.busEvents(), (all) => all.some((e) => e['detail-type'] === 'Lead.Qualified' && e.detail.leadId === lead.body.id));
    expect(qualified.find((e) => e['detail-type'] === 'Lead.Qualified')!.detail).toMatchObject({ opportunityId: deal.id, threshold: 50 });
  });
});

describe('visibility', () => {
  it('counts per sequence: enrolled, active, exited by reason, sent, opens, conversions', async () => {
    const read = await crm.as('u-marketing').get('/nurture/sequences/welcome');
    expect(read.body.stats).toMatchObject({ opens: expect.any(Number), conversions: 1, exited: { converted: 1, unsubscribed: 2 } }); // the two unsubscribe tests above each stop one
    expect(read.body.stats.enrolled).toBeGreaterThanOrEqual(5);
    expect(read.body.stats.sent).toBeGreaterThanOrEqual(7);
    expect(read.body.stats.opens).toBeGreaterThanOrEqual(1);
  });

  it('shows a lead\'s timeline to its department\'s sales reps, not to another department', async () => {
    expect((await crm.as('u-sales').get(`/nurture/leads/${leadIdOf('opens@example.com')}`)).status).toBe(200);
    expect((await crm.as('u-sales-south').get(`/nurture/leads/${leadIdOf('opens@example.com')}`)).status).toBe(403);
  });
});

describe('at marketing scale', () => {
  const statsOf = async (id: string) => (await crm.as('u-marketing').get(`/nurture/sequences/${id}`)).body.stats as Record<string, number>;
  const mailThenWait: NurtureSequenceInput['steps'] = [
    { id: 'hello', type: 'send-mail', template: 'nurture-welcome' },
    { id: 'hold', type: 'wait', duration: { amount: 10, unit: 'days' } },
  ];
  const routerRuns = () => Object.entries(crm.runtime.lambdaInvocations()).find(([name]) => name.includes('NurtureRouter'))?.[1].count ?? 0;

  it('enrols the next capture after any change of the sequences as the change says (no stale copy of them)', async () => {
    await advanceTo(await nextMonday());
    const enrolledIn = async (email: string) => {
      await crm.untilIdle();
      return (await enrolmentsOf(email)).map((e) => `${e.sequenceId}@${(e as { sequenceVersion?: number }).sequenceVersion}`);
    };
    const sequence = { id: 'launch', name: 'Spring launch', trigger: onForm('spring'), reentry: 'never' as const, steps: mailThenWait };
    await launch(sequence);
    await capture('spring-1@example.com', 'spring');
    expect(await enrolledIn('spring-1@example.com')).toEqual(['launch@1']);

    const marketing = crm.as('u-marketing');
    expect((await marketing.post('/nurture/sequences/launch/versions', { ...sequence, name: 'Spring launch, second cut' })).status).toBe(201);
    expect((await marketing.post('/nurture/sequences/launch/lifecycle', { action: 'activate', version: 2 })).status).toBe(200);
    await capture('spring-2@example.com', 'spring');
    expect(await enrolledIn('spring-2@example.com')).toEqual(['launch@2']);

    expect((await marketing.post('/nurture/sequences/launch/lifecycle', { action: 'pause' })).status).toBe(200);
    await capture('spring-3@example.com', 'spring');
    expect(await enrolledIn('spring-3@example.com')).toEqual([]);

    expect((await marketing.post('/nurture/sequences/launch/lifecycle', { action: 'resume' })).status).toBe(200);
    await capture('spring-4@example.com', 'spring');
    expect(await enrolledIn('spring-4@example.com')).toEqual(['launch@2']);

    expect((await marketing.post('/nurture/sequences/launch/lifecycle', { action: 'archive' })).status).toBe(200);
    await capture('spring-5@example.com', 'spring');
    expect(await enrolledIn('spring-5@example.com')).toEqual([]);

    await launch({ ...sequence, id: 'launch-again', name: 'Spring launch, once more' });
    await capture('spring-6@example.com', 'spring');
    expect(await enrolledIn('spring-6@example.com')).toEqual(['launch-again@1']);
  });

  it('enrols a redelivered capture once and counts it once', async () => {
    await launch({ id: 'redelivered', name: 'Said twice', trigger: onForm('twice'), reentry: 'any-time', maxActivePerLead: 3, steps: mailThenWait });
    const detail = {
      formId: 'twice', capturedAt: new Date(await nowMs()).toISOString(), firstName: 'Test', lastName: 'Twice', email: 'said-thrice@example.com',
      region: 'North', timeZone: 'Europe/Berlin', consent: { marketing: true },
    };
    const entry = { EventBusName: 'crm', Source: 'ext.web-forms', DetailType: 'Lead.Captured', Detail: JSON.stringify(detail) };
    await events.send(new PutEventsCommand({ Entries: [entry, entry, entry] }));
    await crm.untilIdle();
    await events.send(new PutEventsCommand({ Entries: [entry] }));
    await crm.untilIdle();
    expect(await enrolmentsOf('said-thrice@example.com')).toHaveLength(1);
    expect(await mailsTo('said-thrice@example.com')).toHaveLength(1);
    expect(await statsOf('redelivered')).toMatchObject({ captured: 1, enrolled: 1, active: 1, sent: 1, waitingForWindow: 0 });
  });

  it('shows a launch moving: captured and enrolled at once, waiting for the send window, then sent', async () => {
    await advanceTo(await nextMonday());
    // Tuesdays only: on Monday morning every mail waits for the window
    const tuesdays = { id: 'tuesdays', name: 'Tuesdays', workingDays: ['tue' as const], workingHours: { start: '09:00', end: '17:00' }, holidays: [] };
    await launch({ id: 'tuesday-launch', name: 'Tuesday launch', trigger: onForm('tuesday'), reentry: 'never', sendWindow: tuesdays, steps: mailThenWait });
    await Promise.all([1, 2, 3].map((n) => capture(`tuesday-${n}@example.com`, 'tuesday')));
    await crm.untilIdle();
    expect(await statsOf('tuesday-launch')).toMatchObject({ captured: 3, enrolled: 3, active: 3, waitingForWindow: 3, sent: 0 });
    await crm.advanceClock(DAY);
    await crm.untilIdle();
    expect(await statsOf('tuesday-launch')).toMatchObject({ captured: 3, enrolled: 3, active: 3, waitingForWindow: 0, sent: 3 });
    expect(await mailsTo('tuesday-1@example.com')).toHaveLength(1);
  });

  it('leaves out of the router the lead changes the engine made itself, and still enrols a new lead in the sequences for new leads once', async () => {
    await launch({ id: 'form-leads', name: 'Form leads', trigger: onForm('newcomer'), reentry: 'never', steps: mailThenWait });
    await launch({ id: 'new-leads', name: 'Every new lead', trigger: { event: 'Lead.Created' }, reentry: 'never', steps: mailThenWait });
    await crm.untilIdle();
    const runsBefore = routerRuns();
    await capture('newcomer@example.com', 'newcomer');
    await crm.untilIdle();
    // one run for the capture: the lead's creation and its move to nurturing did not come back as work
    expect(routerRuns() - runsBefore).toBe(1);
    const changes = (await crm.busEvents()).filter((e) => e['detail-type'] === 'Record.Changed' && e.detail.id === leadIdOf('newcomer@example.com'));
    expect(changes.map((e) => e.detail.changedBy)).toContain('nurture');
    expect((await enrolmentsOf('newcomer@example.com')).map((e) => e.sequenceId).sort()).toEqual(['form-leads', 'new-leads']);

    // a person's change to the lead still reaches the router
    const lead = (await crm.as('u-sales').get(`/leads/${leadIdOf('newcomer@example.com')}`)).body;
    expect((await crm.as('u-sales').patch(`/leads/${lead.id}`, { version: lead.version, status: 'converted' })).status).toBe(200);
    await untilEnrolment('newcomer@example.com', (e) => e.every((x) => x.status === 'exited' && x.exitReason === 'converted'));
    expect((await crm.as('u-marketing').post('/nurture/sequences/new-leads/lifecycle', { action: 'archive' })).status).toBe(200);
  });
});
