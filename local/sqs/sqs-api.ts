import type { MessageAttributeValue } from './md5';
import type { Queue, StoredMessage } from './queue';
import { DEFAULT_QUEUE_ATTRIBUTES } from './queue';
import type { QueueStore } from './queue-store';

/** An SQS error: `code` is the JSON protocol's type, `queryCode` the legacy code the SDK also reads. */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface SqsApiContext {
  store: QueueStore;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /** true once the service stops, so long polls end */
  stopped(): boolean;
}

type Input = Record<string, unknown>;
type Action = (input: Input, ctx: SqsApiContext) => unknown;

const MAX_LONG_POLL_SECONDS = 20;
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'MessageGroupId'];

const str = (input: Input, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new SqsError('MissingParameter', `The request must contain the parameter ${key}.`);
  return value;
};

const int = (value: unknown, name: string, min: number, max: number): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`);
  }
  return n;
};

function queueOf(input: Input, ctx: SqsApiContext): Queue {
  const url = str(input, 'QueueUrl');
  const queue = ctx.store.byUrl(url);
  if (!queue) throw new SqsError('QueueDoesNotExist', `The specified queue does not exist: ${url}`, 'AWS.SimpleQueueService.NonExistentQueue');
  return queue;
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function queueAttributes(queue: Queue, ctx: SqsApiContext): Record<string, string> {
  const { visible, inFlight, delayed } = queue.counts();
  const created = String(Math.floor(queue.snapshot.createdAt / 1000));
  return {
    ...DEFAULT_QUEUE_ATTRIBUTES,
    ...queue.snapshot.attributes,
    QueueArn: ctx.queueArn(queue.name),
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    ApproximateNumberOfMessagesDelayed: String(delayed),
    CreatedTimestamp: created,
    LastModifiedTimestamp: created,
  };
}

function send(queue: Queue, entry: Input) {
  const body = entry.MessageBody;
  if (typeof body !== 'string' || body.length === 0) {
    throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  const message = queue.send({
    body,
    delaySeconds: int(entry.DelaySeconds, 'DelaySeconds', 0, 900),
    messageAttributes: entry.MessageAttributes as Record<string, MessageAttributeValue> | undefined,
    groupId: typeof entry.MessageGroupId === 'string' ? entry.MessageGroupId : undefined,
  });
  return {
    MessageId: message.messageId,
    MD5OfMessageBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
  };
}

function batch<T>(input: Input, each: (entry: Input) => T) {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  const ids = entries.map((e: Input) => e.Id);
  if (new Set(ids).size !== ids.length) throw new SqsError('BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
  const Successful: (T & { Id: unknown })[] = [];
  const Failed: { Id: unknown; SenderFault: boolean; Code: string; Message: string }[] = [];
  for (const entry of entries as Input[]) {
    try {
      Successful.push({ Id: entry.Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** `All`, `.*`, a name, or `prefix.*`. */
function selected(names: unknown, name: string): boolean {
  if (!Array.isArray(names)) return false;
  return names.some((n: string) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
}

function received(message: StoredMessage, input: Input) {
  const systemNames = [...((input.AttributeNames as string[]) ?? []), ...((input.MessageSystemAttributeNames as string[]) ?? [])];
  const system: Record<string, string | undefined> = {
    SenderId: 'AIDALOCAL',
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    MessageGroupId: message.groupId,
  };
  const attributes = Object.fromEntries(
    SYSTEM_ATTRIBUTES.filter((name) => system[name] !== undefined && selected(systemNames, name)).map((name) => [name, system[name]]),
  );
  const messageAttributes = Object.fromEntries(
    Object.entries(message.messageAttributes ?? {}).filter(([name]) => selected(input.MessageAttributeNames, name)),
  );
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length ? { Attributes: attributes } : {}),
    ...(Object.keys(messageAttributes).length
      ? { MessageAttributes: messageAttributes, MD5OfMessageAttributes: message.md5OfMessageAttributes }
      : {}),
  };
}

/** Where a queue's redrive policy sends a message received too often, if it has one. */
export function deadLetterOf(queue: Queue, ctx: SqsApiContext) {
  const policy = queue.snapshot.attributes.RedrivePolicy;
  if (!policy) return undefined;
  const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  const target = ctx.store.byArn(deadLetterTargetArn);
  if (!target) return undefined;
  return {
    maxReceiveCount: Number(maxReceiveCount),
    send: (m: StoredMessage) => target.send({ body: m.body, messageAttributes: m.messageAttributes }),
  };
}

async function receiveMessage(input: Input, ctx: SqsApiContext) {
  const queue = queueOf(input, ctx);
  const max = int(input.MaxNumberOfMessages, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const visibilityTimeout = int(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43200);
  const waitSeconds =
    int(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, MAX_LONG_POLL_SECONDS) ?? Number(queue.snapshot.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
  // long polls wait in real time, checking often enough to see clock advances and new messages
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const messages = queue.receive({ max, visibilityTimeout }, deadLetterOf(queue, ctx));
    if (messages.length > 0 || Date.now() >= deadline || ctx.stopped()) {
      return { Messages: messages.map((m) => received(m, input)) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const SQS_ACTIONS: Record<string, Action> = {
  CreateQueue(input, ctx) {
    const name = str(input, 'QueueName');
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw new SqsError('InvalidParameterValue', `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${name}`);
    }
    ctx.store.create(name, stringMap(input.Attributes));
    return { QueueUrl: ctx.queueUrl(name) };
  },
  GetQueueUrl(input, ctx) {
    const name = str(input, 'QueueName');
    if (!ctx.store.get(name)) throw new SqsError('QueueDoesNotExist', `The specified queue ${name} does not exist.`, 'AWS.SimpleQueueService.NonExistentQueue');
    return { QueueUrl: ctx.queueUrl(name) };
  },
  ListQueues(input, ctx) {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    const max = int(input.MaxResults, 'MaxResults', 1, 1000) ?? 1000;
    const urls = ctx.store
      .list()
      .filter((q) => q.name.startsWith(prefix))
      .map((q) => ctx.queueUrl(q.name))
      .sort()
      .slice(0, max);
    return urls.length ? { QueueUrls: urls } : {};
  },
  DeleteQueue(input, ctx) {
    ctx.store.delete(queueOf(input, ctx).name);
    return {};
  },
  GetQueueAttributes(input, ctx) {
    const all = queueAttributes(queueOf(input, ctx), ctx);
    const names = (input.AttributeNames as string[] | undefined) ?? [];
    return { Attributes: Object.fromEntries(Object.entries(all).filter(([name]) => names.includes('All') || names.includes(name))) };
  },
  SetQueueAttributes(input, ctx) {
    const queue = queueOf(input, ctx);
    ctx.store.create(queue.name, stringMap(input.Attributes));
    return {};
  },
  SendMessage: (input, ctx) => send(queueOf(input, ctx), input),
  SendMessageBatch(input, ctx) {
    const queue = queueOf(input, ctx);
    return batch(input, (entry) => send(queue, entry));
  },
  ReceiveMessage: receiveMessage,
  DeleteMessage(input, ctx) {
    queueOf(input, ctx).delete(str(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch(input, ctx) {
    const queue = queueOf(input, ctx);
    return batch(input, (entry) => {
      queue.delete(str(entry, 'ReceiptHandle'));
      return {};
    });
  },
  ChangeMessageVisibility(input, ctx) {
    const queue = queueOf(input, ctx);
    const handle = str(input, 'ReceiptHandle');
    const timeout = int(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43200) ?? 0;
    if (!queue.changeVisibility(handle, timeout)) {
      throw new SqsError('ReceiptHandleIsInvalid', `The receipt handle "${handle}" is not valid.`);
    }
    return {};
  },
  PurgeQueue(input, ctx) {
    queueOf(input, ctx).purge();
    return {};
  },
};
