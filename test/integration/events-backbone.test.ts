import { EventBridgeClient, ListRulesCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient, StartExecutionCommand, DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { ReceiveMessageCommand, SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/** The cloud's event backbone, on one machine, driven by the AWS SDK clients a user would point at the edge. */
let crm: LocalCrm;
const client = <T>(Client: new (config: object) => T): T =>
  new Client({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

beforeAll(async () => {
  crm = await startLocalCrm();
});
afterAll(async () => crm?.stop());

describe('the edge speaks AWS', () => {
  it('Step Functions: the template\'s state machines exist and run', async () => {
    const sfn = client(SFNClient);
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    const machine = stateMachines.find((m) => m.name === 'tradeflow-record-erp-activity');
    expect(machine).toBeDefined();
    const { executionArn } = await sfn.send(new StartExecutionCommand({
      stateMachineArn: machine!.stateMachineArn,
      input: JSON.stringify({ id: 'manual-1', 'detail-type': 'Something.Else', source: 'ext.erp', detail: {} }),
    }));
    const done = await crm.eventually(() => sfn.send(new DescribeExecutionCommand({ executionArn })), (d) => d.status !== 'RUNNING');
    expect(done).toMatchObject({ status: 'FAILED', error: 'UnexpectedEvent' });
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['ExecutionStarted', 'ChoiceStateEntered', 'FailStateEntered', 'ExecutionFailed']));
    sfn.destroy();
  });

  it('EventBridge: the rules are the template\'s, and patterns test as EventBridge tests them', async () => {
    const events = client(EventBridgeClient);
    const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: 'crm' }));
    expect(Rules.map((r) => JSON.parse(r.EventPattern ?? '{}'))).toContainEqual({ source: ['ext.erp'], 'detail-type': ['Order.Placed', 'Payment.Received'] });
    const event = { id: '1', account: '000000000000', source: 'ext.erp', time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'Order.Placed', detail: { amount: { amountMinor: 5000 } } };
    const test = (pattern: object) => events.send(new TestEventPatternCommand({ Event: JSON.stringify(event), EventPattern: JSON.stringify(pattern) }));
    expect((await test({ detail: { amount: { amountMinor: [{ numeric: ['>=', 1000] }] } } })).Result).toBe(true);
    expect((await test({ source: [{ prefix: 'crm.' }] })).Result).toBe(false);
    events.destroy();
  });

  it('SES: a sent mail is readable locally and its send and delivery events reach the crm bus', async () => {
    const ses = client(SESv2Client);
    const { MessageId } = await ses.send(new SendEmailCommand({
      FromEmailAddress: 'sales@tradeflow.example',
      Destination: { ToAddresses: ['anna.berg@nordic-dist.example'] },
      ConfigurationSetName: 'tradeflow',
      Content: { Simple: { Subject: { Data: 'Your summer listing' }, Body: { Text: { Data: 'See https://tradeflow.example/offer' } } } },
    }));
    ses.destroy();
    const mail = await (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages/${MessageId}`)).json() as any;
    expect(mail).toMatchObject({ subject: 'Your summer listing' });
    const onCrm = await crm.eventually(
      () => crm.busEvents('crm'),
      (events) => ['Email Sent', 'Email Delivered'].every((t) => events.some((e) => e['detail-type'] === t && e.detail.mail.messageId === MessageId)),
    );
    expect(onCrm.filter((e) => e.source === 'aws.ses' && e.detail.mail.messageId === MessageId).map((e) => e['detail-type']).sort())
      .toEqual(['Email Delivered', 'Email Sent']);
  });

  it('SQS: each rule has a dead-letter queue, empty while deliveries succeed', async () => {
    const sqs = client(SQSClient);
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    const { Rules = [] } = await client(EventBridgeClient).send(new ListRulesCommand({ EventBusName: 'crm' }));
    // one per rule, on the crm bus and on the default bus (the SES forwarding rule), and the nurture router's queue's own
    const { Rules: defaultRules = [] } = await client(EventBridgeClient).send(new ListRulesCommand({ EventBusName: 'default' }));
    expect(QueueUrls.filter((u) => /DeadLetters/.test(u))).toHaveLength(Rules.length + defaultRules.length + 1);
    await crm.untilIdle(); // every delivery of the tests before has succeeded or been given up
    for (const url of QueueUrls) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
      expect(Messages).toEqual([]);
    }
    sqs.destroy();
  });
});

describe('the table stream', () => {
  it('publishes a Record.Changed event for a record changed through the API', async () => {
    const made = await crm.as('u-sales').post('/accounts', {
      code: 'STREAM-TEST', name: 'Stream Test Store', channelType: 'retail-outlet', tier: 'standard', status: 'prospect', region: 'North',
    });
    expect(made.status).toBe(201);
    await crm.as('u-sales').patch(`/accounts/${made.body.id}`, { version: 1, status: 'active' });
    const events = await crm.eventually(
      () => crm.busEvents('crm'),
      (all) => all.filter((e) => e['detail-type'] === 'Record.Changed' && e.detail.id === made.body.id).length >= 2,
    );
    const changes = events.filter((e) => e['detail-type'] === 'Record.Changed' && e.detail.id === made.body.id).map((e) => e.detail);
    expect(changes).toEqual([
      expect.objectContaining({ recordType: 'ACCOUNT', change: 'created', version: 1 }),
      expect.objectContaining({ recordType: 'ACCOUNT', change: 'updated', version: 2, changedFields: ['status'] }),
    ]);
  });
});
