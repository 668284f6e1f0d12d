import { randomBytes, randomUUID } from 'node:crypto';
import { md5, md5OfMessageAttributes, type MessageAttributeValue } from './md5';

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
  groupId?: string;
}

/** What a queue persists: enough to bring it back after a restart, messages in flight included. */
export interface QueueSnapshot {
  name: string;
  createdAt: number;
  attributes: Record<string, string>;
  messages: StoredMessage[];
}

export const DEFAULT_QUEUE_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  ReceiveMessageWaitTimeSeconds: '0',
};

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
}

export interface ReceiveInput {
  max: number;
  visibilityTimeout?: number;
}

/** One queue: messages with their visibility, on the local clock. */
export class Queue {
  constructor(
    readonly snapshot: QueueSnapshot,
    private readonly now: () => number,
    /** called when the queue changed, so its snapshot can be written */
    private readonly changed: () => void,
  ) {}

  get name() {
    return this.snapshot.name;
  }

  private number(attribute: string): number {
    return Number(this.snapshot.attributes[attribute] ?? DEFAULT_QUEUE_ATTRIBUTES[attribute] ?? 0);
  }

  /** Drops messages past the retention period. */
  private expire(): void {
    const oldest = this.now() - this.number('MessageRetentionPeriod') * 1000;
    const before = this.snapshot.messages.length;
    this.snapshot.messages = this.snapshot.messages.filter((m) => m.sentAt >= oldest);
    if (this.snapshot.messages.length !== before) this.changed();
  }

  send(input: SendInput): StoredMessage {
    const now = this.now();
    const attributes = input.messageAttributes && Object.keys(input.messageAttributes).length > 0 ? input.messageAttributes : undefined;
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5(input.body),
      ...(attributes ? { messageAttributes: attributes, md5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
      sentAt: now,
      visibleAt: now + (input.delaySeconds ?? this.number('DelaySeconds')) * 1000,
      receiveCount: 0,
      ...(input.groupId ? { groupId: input.groupId } : {}),
    };
    this.snapshot.messages.push(message);
    this.changed();
    return message;
  }

  /**
   * Takes up to `max` visible messages and hides them for the visibility timeout. A message already
   * received `maxReceiveCount` times goes to `deadLetter` instead, as a redrive policy does.
   */
  receive(input: ReceiveInput, deadLetter?: { maxReceiveCount: number; send(message: StoredMessage): void }): StoredMessage[] {
    this.expire();
    const now = this.now();
    const visibility = (input.visibilityTimeout ?? this.number('VisibilityTimeout')) * 1000;
    const taken: StoredMessage[] = [];
    for (const message of [...this.snapshot.messages]) {
      if (taken.length >= input.max) break;
      if (message.visibleAt > now) continue;
      if (deadLetter && message.receiveCount >= deadLetter.maxReceiveCount) {
        this.remove(message);
        deadLetter.send(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibility;
      message.receiptHandle = `${message.messageId}#${randomBytes(12).toString('base64url')}`;
      taken.push(message);
    }
    if (taken.length > 0) this.changed();
    return taken;
  }

  private remove(message: StoredMessage): void {
    this.snapshot.messages = this.snapshot.messages.filter((m) => m !== message);
    this.changed();
  }

  private byHandle(receiptHandle: string): StoredMessage | undefined {
    return this.snapshot.messages.find((m) => m.receiptHandle === receiptHandle);
  }

  /** False when no message has this receipt handle (deleted already, or received again since). */
  delete(receiptHandle: string): boolean {
    const message = this.byHandle(receiptHandle);
    if (message) this.remove(message);
    return message !== undefined;
  }

  changeVisibility(receiptHandle: string, timeoutSeconds: number): boolean {
    const message = this.byHandle(receiptHandle);
    if (!message) return false;
    message.visibleAt = this.now() + timeoutSeconds * 1000;
    this.changed();
    return true;
  }

  purge(): void {
    this.snapshot.messages = [];
    this.changed();
  }

  counts() {
    this.expire();
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.snapshot.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }
}
