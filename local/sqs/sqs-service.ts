import path from 'node:path';
import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { EmulatorOptions } from '../clock';
import { serveAwsJsonAction, targetPrefixMatcher, type EdgeService } from '../edge/edge-server';
import { queueMappings, startQueueEventSources, type QueueEventSources } from './queue-event-sources';
import { QueueStore } from './queue-store';
import { SQS_ACTIONS, SqsError, type SqsApiContext } from './sqs-api';

/** Messages persist under `<dataDir>/sqs`. */
export type SqsServiceOptions = EmulatorOptions;

export interface SqsService {
  /** SQS's JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`), as @aws-sdk/client-sqs v3 speaks it */
  edgeService: EdgeService;
  /** Creates every AWS::SQS::Queue of the template (messages already persisted are kept). */
  loadTemplate(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve' | 'nameOf'>): string[];
  /** Starts Lambda's pollers for the template's SQS event source mappings. */
  startEventSources(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve'>, invoke: (functionName: string, event: unknown) => Promise<unknown>): void;
  /** messages waiting in queues that functions read (the idle probe's business) */
  pendingForFunctions(): number;
  /** The edge URL of a queue: `<edgeUrl>/<account>/<name>` */
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

/** Template properties that are queue attributes of the same name. */
const ATTRIBUTE_PROPERTIES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'RedrivePolicy',
];

export function createSqsService(opts: SqsServiceOptions): SqsService {
  const log = opts.log ?? (() => {});
  const store = new QueueStore(() => opts.clock.now(), opts.dataDir ? path.join(opts.dataDir, 'sqs') : undefined);
  let stopped = false;
  const queueUrl = (name: string) => `${opts.edgeUrl}/${opts.accountId}/${name}`;
  const ctx: SqsApiContext = {
    store,
    queueUrl,
    queueArn: (name) => `arn:aws:sqs:${opts.region}:${opts.accountId}:${name}`,
    stopped: () => stopped,
  };

  const edgeService: EdgeService = {
    name: 'SQS',
    matches: targetPrefixMatcher('AmazonSQS.'),
    handle: (req, res, body) =>
      serveAwsJsonAction(req, res, body, {
        targetPrefix: 'AmazonSQS.',
        contentType: 'application/x-amz-json-1.0',
        run(action, input) {
          const handler = SQS_ACTIONS[action];
          if (!handler) throw new SqsError('UnsupportedOperation', `SQS action ${action} is not supported locally`);
          const result = handler(input, ctx);
          // a sent message is acknowledged once it is stored; other changes may be lost to a kill -9 as
          // SQS's at-least-once delivery allows (a deleted message comes back, a received one shows again)
          return action === 'SendMessage' || action === 'SendMessageBatch' ? store.durable().then(() => result) : result;
        },
        toAwsError: (error) =>
          error instanceof SqsError
            ? {
                status: error.status, type: error.code, message: error.message,
                // the SDK reads this header to give the error the code SQS's query protocol had
                headers: { 'x-amzn-query-error': `${error.queryCode};Sender` },
              }
            : undefined,
      }),
  };

  let eventSources: QueueEventSources | undefined;
  const woken = new Set<string>();
  // after the change that woke it, never inside it: a poller's own receive is a change too
  store.onChange((name) => {
    if (!eventSources || woken.has(name)) return;
    woken.add(name);
    setImmediate(() => {
      woken.delete(name);
      eventSources?.wake(name);
    });
  });

  return {
    edgeService,
    queueUrl,
    startEventSources(resources, resolver, invoke) {
      const mappings = queueMappings(resources, resolver);
      eventSources = startQueueEventSources({ mappings, ctx, invoke, region: opts.region, accountId: opts.accountId, log });
      log(`SQS: ${mappings.length} queue(s) feed functions`);
    },
    pendingForFunctions: () => eventSources?.pending() ?? 0,
    loadTemplate(resources, resolver) {
      const names: string[] = [];
      for (const [logicalId, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::SQS::Queue') continue;
        const properties = (resolver.resolve(resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
        const attributes: Record<string, string> = {};
        for (const key of ATTRIBUTE_PROPERTIES) {
          const value = properties[key];
          if (value === undefined) continue;
          attributes[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
        }
        const name = resolver.nameOf(logicalId);
        store.create(name, attributes);
        names.push(name);
      }
      log(`SQS: ${names.length} queues ready`);
      return names;
    },
    async stop() {
      stopped = true;
      eventSources?.stop();
      store.flush();
    },
  };
}
