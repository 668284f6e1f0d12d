import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { Queue, StoredMessage } from './queue';
import { deadLetterOf, type SqsApiContext } from './sqs-api';

/** An AWS::Lambda::EventSourceMapping that reads a queue of this emulator. */
export interface QueueMapping {
  logicalId: string;
  functionName: string;
  queueArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  /** batches of this mapping in flight at once (ScalingConfig.MaximumConcurrency, else two) */
  maxConcurrency: number;
}

const SQS_ARN = /^arn:[^:]+:sqs:[^:]*:[^:]*:[^:]+$/;
/** Lambda's default batch size for a standard queue. */
const DEFAULT_BATCH_SIZE = 10;
/** Locally a function runs in one worker: two batches at once keep it busy while one waits on I/O. */
const DEFAULT_CONCURRENCY = 2;
/** How often a queue whose messages are all hidden (in flight elsewhere, delayed, waiting for a retry) is looked at again. */
const RECHECK_MS = 1000;

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation properties are untyped JSON */

export function queueMappings(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve'>): QueueMapping[] {
  const mappings: QueueMapping[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const props = (resolver.resolve(resource.Properties ?? {}) ?? {}) as Record<string, any>;
    const queueArn = String(props.EventSourceArn ?? '');
    if (!SQS_ARN.test(queueArn) || props.Enabled === false || props.Enabled === 'false') continue;
    mappings.push({
      logicalId,
      functionName: String(props.FunctionName),
      queueArn,
      batchSize: Math.min(Number(props.BatchSize ?? DEFAULT_BATCH_SIZE), 10),
      reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as unknown[]).includes('ReportBatchItemFailures'),
      maxConcurrency: Number(props.ScalingConfig?.MaximumConcurrency ?? DEFAULT_CONCURRENCY),
    });
  }
  return mappings;
}

/** The event Lambda hands a function for a batch of a queue's messages. */
const sqsEvent = (messages: StoredMessage[], mapping: QueueMapping, region: string, accountId: string) => ({
  Records: messages.map((m) => ({
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: accountId,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    },
    messageAttributes: m.messageAttributes ?? {},
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: mapping.queueArn,
    awsRegion: region,
  })),
});

export interface QueueEventSources {
  /** messages waiting in the mapped queues (visible, in flight or waiting to be seen again) */
  pending(): number;
  /** a mapped queue changed: deliver what became visible */
  wake(queueName: string): void;
  stop(): void;
}

/**
 * Lambda's poller for SQS event source mappings: takes up to BatchSize visible messages, invokes the
 * function with them, and deletes those it handled: all of them on success, all but the ones a partial
 * batch response (ReportBatchItemFailures) names. A failed batch stays hidden for the queue's visibility
 * timeout and is received again, and after the redrive policy's maxReceiveCount goes to the dead-letter queue.
 */
export function startQueueEventSources(opts: {
  mappings: QueueMapping[];
  ctx: SqsApiContext;
  invoke(functionName: string, event: unknown): Promise<unknown>;
  region: string;
  accountId: string;
  log(line: string): void;
}): QueueEventSources {
  let stopped = false;
  const pollers = opts.mappings.flatMap((mapping) => {
    const queue = opts.ctx.store.byArn(mapping.queueArn);
    if (!queue) {
      opts.log(`SQS: ${mapping.logicalId} reads ${mapping.queueArn}, which is no queue here`);
      return [];
    }
    return [poller(mapping, queue)];
  });

  function poller(mapping: QueueMapping, queue: Queue) {
    let running = 0;
    let recheck: NodeJS.Timeout | undefined;
    async function deliver(messages: StoredMessage[]) {
      try {
        const result = (await opts.invoke(mapping.functionName, sqsEvent(messages, mapping, opts.region, opts.accountId))) as
          | { batchItemFailures?: { itemIdentifier?: string }[] }
          | undefined;
        const failed = new Set(mapping.reportBatchItemFailures ? (result?.batchItemFailures ?? []).map((f) => f.itemIdentifier) : []);
        for (const message of messages) if (!failed.has(message.messageId)) queue.delete(message.receiptHandle!);
      } catch (error) {
        // the whole batch is seen again once its visibility timeout runs out
        opts.log(`SQS: ${mapping.functionName} failed a batch of ${messages.length} from ${queue.name}: ${(error as Error).message}`);
      }
    }
    function pump() {
      if (stopped) return;
      while (running < mapping.maxConcurrency) {
        const messages = queue.receive({ max: mapping.batchSize }, deadLetterOf(queue, opts.ctx));
        if (messages.length === 0) break;
        running++;
        void deliver(messages).finally(() => {
          running--;
          pump();
        });
      }
      const { inFlight, delayed } = queue.counts();
      if (!recheck && running < mapping.maxConcurrency && inFlight + delayed > running * mapping.batchSize) {
        recheck = setTimeout(() => {
          recheck = undefined;
          pump();
        }, RECHECK_MS);
      }
    }
    return {
      queue,
      pump,
      pending: () => {
        const { visible, inFlight, delayed } = queue.counts();
        return visible + inFlight + delayed;
      },
      stop: () => clearTimeout(recheck),
    };
  }

  for (const p of pollers) p.pump();
  return {
    pending: () => pollers.reduce((sum, p) => sum + p.pending(), 0),
    wake(queueName) {
      for (const p of pollers) if (p.queue.name === queueName) p.pump();
    },
    stop() {
      stopped = true;
      for (const p of pollers) p.stop();
    },
  };
}
