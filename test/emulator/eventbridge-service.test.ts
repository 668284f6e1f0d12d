import '../../local/quiet-sdk-warning';
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import { createLocalClock } from '../../local/clock';
import { startEdge, targetPrefixMatcher, type Edge, type EdgeService } from '../../local/edge/edge-server';
import { createEventBridgeService, type EventBridgeService } from '../../local/eventbridge/eventbridge-service';
import { createSqsService, type SqsService } from '../../local/sqs/sqs-service';

const env = { region: 'us-east-1', accountId: '000000000000', stackName: 'Crm' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const crmBus = { Ref: 'CrmBus' };

const resources = {
  CrmBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'crm' } },
  CrmArchive: {
    Type: 'AWS::Events::Archive',
    Properties: { ArchiveName: 'crm-archive', SourceArn: { 'Fn::GetAtt': ['CrmBus', 'Arn'] }, RetentionDays: 7 },
  },
  RulesDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'rules-dlq' } },
  LeadsQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
  LeadCaptured: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventBusName: crmBus,
      EventPattern: { source: ['crm.leads'], 'detail-type': ['Lead.Captured'] },
      Targets: [
        { Id: 'handler', Arn: lambdaArn('lead-handler'), InputPath: '$.detail' },
        {
          Id: 'notifier',
          Arn: lambdaArn('lead-notifier'),
          InputTransformer: {
            InputPathsMap: { name: '$.detail.name', score: '$.detail.score' },
            InputTemplate: '{"text": "New lead <name> (<score>)", "name": <name>, "score": <score>, "rule": "<aws.events.rule-name>"}',
          },
        },
        { Id: 'nurture', Arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nurture' },
        { Id: 'queue', Arn: { 'Fn::GetAtt': ['LeadsQueue', 'Arn'] } },
      ],
    },
  },
  Failing: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventBusName: crmBus,
      EventPattern: { source: ['crm.failing'] },
      Targets: [
        {
          Id: 'broken',
          Arn: lambdaArn('broken'),
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RulesDlq', 'Arn'] } },
        },
      ],
    },
  },
  FailingNoDlq: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventBusName: crmBus,
      EventPattern: { source: ['crm.no-dlq'] },
      Targets: [{ Id: 'broken', Arn: lambdaArn('broken'), RetryPolicy: { MaximumRetryAttempts: 0 } }],
    },
  },
  ForwardSes: {
    Type: 'AWS::Events::Rule',
    Properties: { EventPattern: { source: ['aws.ses'] }, Targets: [{ Id: 'crm', Arn: { 'Fn::GetAtt': ['CrmBus', 'Arn'] } }] },
  },
  MailEvents: {
    Type: 'AWS::Events::Rule',
    Properties: { EventBusName: crmBus, EventPattern: { source: ['aws.ses'] }, Targets: [{ Id: 'mail', Arn: lambdaArn('mail-events') }] },
  },
  Hourly: {
    Type: 'AWS::Events::Rule',
    Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'tick', Arn: lambdaArn('hourly') }] },
  },
};

interface Call {
  target: string;
  payload: any;
}

/** Stand-ins for the Lambda Invoke and Step Functions APIs on the edge, recording what they get. */
function stubTargets(calls: Call[]): EdgeService[] {
  return [
    {
      name: 'Lambda (stub)',
      matches: (req) => req.url?.startsWith('/2015-03-31/functions/') ?? false,
      handle(req, res, body) {
        const name = decodeURIComponent(req.url!.split('/')[3]!).split(':').pop()!;
        calls.push({ target: name, payload: JSON.parse(body.toString()) });
        if (name === 'broken') {
          res.writeHead(200, { 'x-amz-function-error': 'Unhandled', 'content-type': 'application/json' });
          return void res.end('{"errorType":"Error","errorMessage":"boom"}');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('null');
      },
    },
    {
      name: 'Step Functions (stub)',
      matches: targetPrefixMatcher('AWSStepFunctions.'),
      handle(_req, res, body) {
        const input = JSON.parse(body.toString());
        calls.push({ target: input.stateMachineArn.split(':').pop(), payload: JSON.parse(input.input) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ executionArn: `${input.stateMachineArn}:run-1`, startDate: Date.now() / 1000 }));
      },
    },
  ];
}

/** Polls until `check` stops throwing (no fixed sleeps). */
const eventually = <T>(check: () => T | Promise<T>, timeout = 5000) => vi.waitFor(check, { timeout, interval: 50 });

describe('local EventBridge', () => {
  const clock = createLocalClock();
  const calls: Call[] = [];
  const callsTo = (target: string) => calls.filter((c) => c.target === target);
  let edge: Edge;
  let events: EventBridgeService;
  let sqs: SqsService;
  let eb: EventBridgeClient;
  let sqsClient: SQSClient;

  beforeAll(async () => {
    edge = await startEdge({ port: 0 });
    const resolver = createResolver({ template: { Resources: resources }, resources }, env);
    sqs = createSqsService({ clock, edgeUrl: edge.url, ...env });
    events = createEventBridgeService({ clock, edgeUrl: edge.url, ...env });
    for (const service of [sqs.edgeService, events.edgeService, ...stubTargets(calls)]) edge.register(service);
    sqs.loadTemplate(resources, resolver);
    events.loadTemplate(resources, resolver);
    eb = new EventBridgeClient({ endpoint: edge.url, region: env.region, credentials });
    sqsClient = new SQSClient({ endpoint: edge.url, region: env.region, credentials });
  });
  afterAll(async () => {
    eb?.destroy();
    sqsClient?.destroy();
    await events?.stop();
    await sqs?.stop();
    await edge?.stop();
  });

  const putLead = (detail: Record<string, unknown>) =>
    eb.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'crm.leads', DetailType: 'Lead.Captured', Detail: JSON.stringify(detail) }] }));

  it('delivers a matching event to every target, with InputPath and InputTransformer applied', async () => {
    const put = await putLead({ name: 'Ada', score: 7, marker: 'first' });
    expect(put.FailedEntryCount).toBe(0);
    const eventId = put.Entries![0]!.EventId!;

    await eventually(() => expect(callsTo('lead-handler').map((c) => c.payload)).toContainEqual({ name: 'Ada', score: 7, marker: 'first' }));
    await eventually(() =>
      expect(callsTo('lead-notifier').map((c) => c.payload)).toContainEqual({ text: 'New lead Ada (7)', name: 'Ada', score: 7, rule: 'Crm-LeadCaptured' }),
    );
    const execution = await eventually(() => {
      const found = callsTo('nurture').find((c) => c.payload.id === eventId);
      expect(found).toBeDefined();
      return found!.payload;
    });
    expect(execution).toMatchObject({
      version: '0',
      id: eventId,
      'detail-type': 'Lead.Captured',
      source: 'crm.leads',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { name: 'Ada', score: 7, marker: 'first' },
    });
    expect(execution.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const queued = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('Crm-LeadsQueue'), WaitTimeSeconds: 2 }));
    expect(JSON.parse(queued.Messages![0]!.Body!).id).toBe(eventId);
  });

  it('answers a bad entry with a per-entry error and still puts the good ones', async () => {
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'crm', Source: 'crm.other', DetailType: 'Thing.Happened', Detail: '{}' },
          { EventBusName: 'crm', Source: 'crm.other', DetailType: 'Thing.Happened', Detail: '[1, 2]' },
          { EventBusName: 'crm', DetailType: 'Thing.Happened', Detail: '{}' },
          { EventBusName: 'nowhere', Source: 'crm.other', DetailType: 'Thing.Happened', Detail: '{}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(3);
    expect(put.Entries![0]!.EventId).toBeDefined();
    expect(put.Entries![1]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(put.Entries![2]).toMatchObject({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Source') });
    expect(put.Entries![3]).toMatchObject({ ErrorCode: 'ResourceNotFoundException', ErrorMessage: expect.stringContaining('nowhere') });
  });

  it('retries a failing target with backoff on the local clock, then sends the event to its DLQ', async () => {
    const put = await eb.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'crm.failing', DetailType: 'Thing.Failed', Detail: '{"n":1}' }] }),
    );
    const eventId = put.Entries![0]!.EventId!;
    const QueueUrl = sqs.queueUrl('rules-dlq');
    const message = await eventually(async () => {
      clock.advance(10); // past the next backoff, whatever it is
      const { Messages } = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'] }));
      expect(Messages).toHaveLength(1);
      return Messages![0]!;
    }, 10_000);
    expect(JSON.parse(message.Body!)).toMatchObject({ id: eventId, source: 'crm.failing', detail: { n: 1 } });
    const attribute = (name: string) => message.MessageAttributes![name]!.StringValue;
    expect(attribute('ERROR_CODE')).toBe('LAMBDA_FUNCTION_ERROR');
    expect(attribute('ERROR_MESSAGE')).toContain('boom');
    expect(attribute('RULE_ARN')).toBe('arn:aws:events:us-east-1:000000000000:rule/crm/Crm-Failing');
    expect(attribute('TARGET_ARN')).toBe(lambdaArn('broken'));
    // the first attempt and MaximumRetryAttempts (2) retries
    expect(callsTo('broken').filter((c) => c.payload.id === eventId)).toHaveLength(3);
  });

  it('keeps an undeliverable event without a DLQ in the failed list on the edge', async () => {
    const put = await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'crm.no-dlq', DetailType: 'X.Y', Detail: '{}' }] }));
    const eventId = put.Entries![0]!.EventId!;
    const failed = await eventually(async () => {
      const body = (await (await fetch(`${edge.url}/_local/events/failed`)).json()) as any;
      const found = body.failed.find((f: any) => f.event.id === eventId);
      expect(found).toBeDefined();
      return found;
    });
    expect(failed).toMatchObject({ targetArn: lambdaArn('broken'), errorCode: 'LAMBDA_FUNCTION_ERROR', attempts: 1 });
    expect(failed.deadLetterArn).toBeUndefined();
  });

  it('forwards events from the default bus to the crm bus', async () => {
    const put = events.putEvents([{ Source: 'aws.ses', DetailType: 'Email Opened', Detail: '{"mail":{"messageId":"m-1"}}' }]);
    const eventId = (put.Entries[0] as { EventId: string }).EventId;
    await eventually(() => expect(callsTo('mail-events').map((c) => c.payload.id)).toContain(eventId));
    expect(events.recentEvents('crm').map((e) => e.id)).toContain(eventId);
    const res = await fetch(`${edge.url}/_local/events?bus=default&limit=5`);
    expect(((await res.json()) as any).events.map((e: any) => e.id)).toContain(eventId);
  });

  it('archives the crm bus and replays a time range to its rules, marked with replay-name', async () => {
    const from = new Date(clock.now() - 1000);
    await putLead({ name: 'Grace', score: 9, marker: 'replay-me' });
    await eventually(() => expect(callsTo('lead-handler').filter((c) => c.payload.marker === 'replay-me')).toHaveLength(1));

    const archive = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'crm-archive' }));
    expect(archive).toMatchObject({ EventSourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/crm', RetentionDays: 7, State: 'ENABLED' });
    expect(archive.EventCount).toBeGreaterThan(0);

    const started = await eb.send(
      new StartReplayCommand({
        ReplayName: 'replay-1',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: from,
        EventEndTime: new Date(clock.now() + 1000),
        Destination: { Arn: archive.EventSourceArn! },
      }),
    );
    expect(started.State).toBe('STARTING');
    await eventually(async () => expect((await eb.send(new DescribeReplayCommand({ ReplayName: 'replay-1' }))).State).toBe('COMPLETED'));
    await eventually(() => expect(callsTo('lead-handler').filter((c) => c.payload.marker === 'replay-me')).toHaveLength(2));
    const replayed = events.recentEvents('crm').filter((e) => (e.detail as any).marker === 'replay-me');
    expect(replayed.map((e) => e['replay-name'])).toEqual([undefined, 'replay-1']);
  });

  it('fires a scheduled rule when the clock reaches it', async () => {
    // earlier tests moved the clock too: count from here
    const before = callsTo('hourly').length;
    clock.advance(3600);
    const tick = await eventually(() => {
      expect(callsTo('hourly').length).toBeGreaterThan(before);
      return callsTo('hourly').at(-1)!.payload;
    });
    expect(tick).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  });

  it('tests event patterns and rejects invalid ones with InvalidEventPatternException', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'crm.leads',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'Lead.Captured',
      detail: { score: 7 },
    });
    const test = (pattern: unknown) => eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: event }));
    expect((await test({ detail: { score: [{ numeric: ['>', 5] }] } })).Result).toBe(true);
    expect((await test({ source: [{ prefix: 'crm.orders' }] })).Result).toBe(false);
    await expect(test({ source: 'crm.leads' })).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"detail":{"n":[{"numeric":[">"]}]}}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
  });

  it('lists and describes buses, rules and targets', async () => {
    const buses = await eb.send(new ListEventBusesCommand({}));
    expect(buses.EventBuses!.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', 'crm']));
    const rules = await eb.send(new ListRulesCommand({ EventBusName: 'crm', NamePrefix: 'Crm-Lead' }));
    expect(rules.Rules!.map((r) => r.Name)).toEqual(['Crm-LeadCaptured']);
    const rule = await eb.send(new DescribeRuleCommand({ Name: 'Crm-LeadCaptured', EventBusName: 'crm' }));
    expect(JSON.parse(rule.EventPattern!)).toEqual({ source: ['crm.leads'], 'detail-type': ['Lead.Captured'] });
    expect(rule.Arn).toBe('arn:aws:events:us-east-1:000000000000:rule/crm/Crm-LeadCaptured');
    const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: 'Crm-LeadCaptured', EventBusName: 'crm' }));
    expect(targets.Targets!.map((t) => t.Id)).toEqual(['handler', 'notifier', 'nurture', 'queue']);
    expect(targets.Targets![3]!.Arn).toBe('arn:aws:sqs:us-east-1:000000000000:Crm-LeadsQueue');
  });
});
