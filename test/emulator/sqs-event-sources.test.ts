import '../../local/quiet-sdk-warning';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import { createLocalClock } from '../../local/clock';
import { startEdge, type Edge } from '../../local/edge/edge-server';
import { createSqsService, type SqsService } from '../../local/sqs/sqs-service';

const env = { region: 'us-east-1', accountId: '000000000000', stackName: 'Test' };
const resources = {
  Dead: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'feed-dead' } },
  Feed: {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: 'feed', VisibilityTimeout: 30, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dead', 'Arn'] }, maxReceiveCount: 2 } },
  },
  Mapping: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: { FunctionName: 'worker', EventSourceArn: { 'Fn::GetAtt': ['Feed', 'Arn'] }, BatchSize: 3, FunctionResponseTypes: ['ReportBatchItemFailures'] },
  },
};

interface SqsRecord { messageId: string; body: string; attributes: { ApproximateReceiveCount: string }; eventSource: string }

describe('local SQS event source mappings', () => {
  const clock = createLocalClock();
  const resolver = createResolver({ template: { Resources: resources }, resources }, env);
  const batches: SqsRecord[][] = [];
  let edge: Edge;
  let sqs: SqsService;
  let client: SQSClient;

  beforeAll(async () => {
    edge = await startEdge({ port: 0 });
    sqs = createSqsService({ clock, edgeUrl: edge.url, ...env });
    edge.register(sqs.edgeService);
    sqs.loadTemplate(resources, resolver);
    // the function: hands back the messages that say "bad"
    sqs.startEventSources(resources, resolver, async (name, event) => {
      expect(name).toBe('worker');
      const records = (event as { Records: SqsRecord[] }).Records;
      batches.push(records);
      return { batchItemFailures: records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    client = new SQSClient({ endpoint: edge.url, region: env.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.stop();
    await edge?.stop();
  });

  it('hands the function batches of at most BatchSize, deletes what it handled and delivers again only what it handed back, then dead-letters it', async () => {
    await client.send(new SendMessageBatchCommand({
      QueueUrl: sqs.queueUrl('feed'),
      Entries: ['a', 'b', 'bad', 'c', 'd'].map((body, i) => ({ Id: `m${i}`, MessageBody: body })),
    }));
    await vi.waitFor(() => expect(batches.flat().map((r) => r.body).sort()).toEqual(['a', 'b', 'bad', 'c', 'd']));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(batches[0]![0]!.eventSource).toBe('aws:sqs');
    // only the handed-back message is left, hidden for the visibility timeout
    await vi.waitFor(() => expect(sqs.pendingForFunctions()).toBe(1));

    clock.advance(31);
    await vi.waitFor(() => expect(batches.at(-1)!.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([['bad', '2']]), { timeout: 5000 });

    // received as often as the redrive policy allows: the next receive moves it to the dead-letter queue
    clock.advance(31);
    await vi.waitFor(() => expect(sqs.pendingForFunctions()).toBe(0), { timeout: 5000 });
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('feed-dead'), MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body)).toEqual(['bad']);
    expect(batches.flat().filter((r) => r.body === 'bad')).toHaveLength(2);
  });
});
