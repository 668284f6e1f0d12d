import '../../local/quiet-sdk-warning';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import { createLocalClock } from '../../local/clock';
import { startEdge, type Edge } from '../../local/edge/edge-server';
import { createSqsService, type SqsService } from '../../local/sqs/sqs-service';

const env = { region: 'us-east-1', accountId: '000000000000', stackName: 'Test' };
const resources = {
  Jobs: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs', VisibilityTimeout: 60 } },
  Unnamed: { Type: 'AWS::SQS::Queue', Properties: {} },
  Dead: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'dead' } },
  Redriven: {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: 'redriven', RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dead', 'Arn'] }, maxReceiveCount: 2 } },
  },
};

describe('local SQS', () => {
  const clock = createLocalClock();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sqs-test-'));
  const resolver = createResolver({ template: { Resources: resources }, resources }, env);
  let edge: Edge;
  let sqs: SqsService;
  let client: SQSClient;
  // the URL the template's Ref gives a queue (https://sqs...): it names the same queue
  const templateUrl = (logicalId: string) => resolver.physicalId(logicalId);

  beforeAll(async () => {
    edge = await startEdge({ port: 0 });
    sqs = createSqsService({ dataDir, clock, edgeUrl: edge.url, ...env });
    edge.register(sqs.edgeService);
    sqs.loadTemplate(resources, resolver);
    client = new SQSClient({ endpoint: edge.url, region: env.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.stop();
    await edge?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the template queues, named or not, at edge URLs', async () => {
    const { QueueUrls } = await client.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual(
      expect.arrayContaining([`${edge.url}/000000000000/jobs`, `${edge.url}/000000000000/Test-Unnamed`, `${edge.url}/000000000000/redriven`]),
    );
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'jobs' }));
    expect(QueueUrl).toBe(sqs.queueUrl('jobs'));
  });

  it('sends, receives (the SDK checks the MD5s) and deletes, with visibility on the local clock', async () => {
    const QueueUrl = templateUrl('Jobs');
    await client.send(
      new SendMessageCommand({ QueueUrl, MessageBody: 'hello', MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } } }),
    );
    const first = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(first.Messages).toHaveLength(1);
    expect(first.Messages![0]).toMatchObject({
      Body: 'hello',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
      Attributes: { ApproximateReceiveCount: '1' },
    });
    // invisible for the queue's 60 s visibility timeout, then back
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toHaveLength(0);
    clock.advance(61);
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(again.Messages![0]!.Attributes!.ApproximateReceiveCount).toBe('2');
    await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    clock.advance(61);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toHaveLength(0);
  });

  it('sends batches, counts and purges', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'batch' }));
    const sent = await client.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((n) => ({ Id: `m${n}`, MessageBody: `body ${n}` })) }),
    );
    expect(sent.Successful).toHaveLength(3);
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2 }));
    expect(received.Messages).toHaveLength(2);
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '2', QueueArn: 'arn:aws:sqs:us-east-1:000000000000:batch' });
    await client.send(new PurgeQueueCommand({ QueueUrl }));
    const after = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessages: '0' });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const QueueUrl = sqs.queueUrl('redriven');
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }))).Messages).toHaveLength(1);
      clock.advance(2);
    }
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toHaveLength(0);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('dead') }));
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('answers an unknown queue with QueueDoesNotExist', async () => {
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${edge.url}/000000000000/nope`, MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  });

  it('has a message on disk by the time its send is answered, as a kill -9 right after would find it', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('dead'), MessageBody: 'acknowledged' }));
    await client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl('dead'), Entries: [{ Id: 'one', MessageBody: 'acknowledged in a batch' }] }));
    // what a runtime started over the same data folder finds, while this one has not stopped (nor flushed at stop)
    const edge2 = await startEdge({ port: 0 });
    const survivor = createSqsService({ dataDir, clock, edgeUrl: edge2.url, ...env });
    edge2.register(survivor.edgeService);
    const client2 = new SQSClient({ endpoint: edge2.url, region: env.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const { Messages } = await client2.send(new ReceiveMessageCommand({ QueueUrl: templateUrl('Dead'), MaxNumberOfMessages: 10 }));
      expect(Messages?.map((m) => m.Body)).toEqual(expect.arrayContaining(['acknowledged', 'acknowledged in a batch']));
    } finally {
      client2.destroy();
      await edge2.stop();
    }
  });

  it('keeps messages across a restart', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('jobs'), MessageBody: 'durable' }));
    await sqs.stop();
    const edge2 = await startEdge({ port: 0 });
    const restarted = createSqsService({ dataDir, clock, edgeUrl: edge2.url, ...env });
    edge2.register(restarted.edgeService);
    const client2 = new SQSClient({ endpoint: edge2.url, region: env.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const { Messages } = await client2.send(new ReceiveMessageCommand({ QueueUrl: templateUrl('Jobs') }));
      expect(Messages?.[0]?.Body).toBe('durable');
    } finally {
      client2.destroy();
      await restarted.stop();
      await edge2.stop();
    }
  });
});
