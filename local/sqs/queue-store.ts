import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Queue, type QueueSnapshot } from './queue';

const FLUSH_INTERVAL_MS = 500;
/** a queue of thousands takes a while to write: the next write waits this many times as long */
const FLUSH_SPACING = 5;
/** messages serialized per write(2): a big queue is never one string of all its messages */
const MESSAGES_PER_WRITE = 500;

/**
 * The queues by name, each persisted as one JSON file under `dir` (written at most every half second
 * after a change, less often while a big queue takes long to write, and at stop). A queue is found by
 * its URL's last path segment, so that every URL form names it: the edge's
 * (`http://127.0.0.1:4566/<account>/<name>`) and the template's `https://sqs.<region>...`.
 */
export class QueueStore {
  private readonly queues = new Map<string, Queue>();
  private readonly dirty = new Set<string>();
  private flushScheduled = false;
  private lastWriteMs = 0;
  /** sends waiting for their message to be on disk before they are answered */
  private waitingForFlush: (() => void)[] = [];

  constructor(
    private readonly now: () => number,
    private readonly dir?: string,
  ) {
    if (dir && existsSync(dir)) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const snapshot = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as QueueSnapshot;
        this.queues.set(snapshot.name, this.wrap(snapshot));
      }
    }
  }

  private wrap(snapshot: QueueSnapshot): Queue {
    return new Queue(snapshot, this.now, () => this.markDirty(snapshot.name));
  }

  private readonly listeners: ((queueName: string) => void)[] = [];

  /** Called after every change of a queue (a message sent, received, deleted...). */
  onChange(listener: (queueName: string) => void): void {
    this.listeners.push(listener);
  }

  private markDirty(name: string): void {
    for (const listener of this.listeners) listener(name);
    if (!this.dir) return;
    this.dirty.add(name);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // a queue's file is all its messages: written at most every FLUSH_INTERVAL_MS (FLUSH_SPACING times the
    // last write's length, once that is longer), or a launch putting thousands of messages one by one
    // would write the growing file thousands of times
    setTimeout(() => this.flush(), Math.max(FLUSH_INTERVAL_MS, FLUSH_SPACING * this.lastWriteMs)).unref();
  }

  /**
   * Resolves once every change made so far is on disk. A send is answered only then, as SQS acknowledges
   * a message once it is stored: a sender (EventBridge's delivery) that counts it delivered must not lose
   * it to a kill -9 in the moment before the next write. Sends in that moment share one write.
   */
  durable(): Promise<void> {
    if (!this.dir || this.dirty.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForFlush.push(resolve));
  }

  flush(): void {
    this.flushScheduled = false;
    const waiting = this.waitingForFlush.splice(0);
    try {
      this.write();
    } finally {
      for (const resolve of waiting) resolve();
    }
  }

  private write(): void {
    if (!this.dir) return;
    const started = Date.now();
    mkdirSync(this.dir, { recursive: true });
    for (const name of this.dirty) {
      const file = path.join(this.dir, `${name}.json`);
      const queue = this.queues.get(name);
      if (!queue) {
        rmSync(file, { force: true });
        continue;
      }
      writeSnapshot(`${file}.tmp`, queue.snapshot);
      renameSync(`${file}.tmp`, file);
    }
    this.dirty.clear();
    this.lastWriteMs = Date.now() - started;
  }

  /** Creates the queue, or returns the existing one of that name (with its attributes updated). */
  create(name: string, attributes: Record<string, string>): Queue {
    const existing = this.queues.get(name);
    if (existing) {
      Object.assign(existing.snapshot.attributes, attributes);
      this.markDirty(name);
      return existing;
    }
    const queue = this.wrap({ name, createdAt: this.now(), attributes: { ...attributes }, messages: [] });
    this.queues.set(name, queue);
    this.markDirty(name);
    return queue;
  }

  get(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  byUrl(url: string): Queue | undefined {
    const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
    return this.queues.get(name);
  }

  /** `arn:aws:sqs:<region>:<account>:<name>` */
  byArn(arn: string): Queue | undefined {
    return this.queues.get(arn.split(':').pop() ?? '');
  }

  list(): Queue[] {
    return [...this.queues.values()];
  }

  delete(name: string): void {
    this.queues.delete(name);
    this.markDirty(name);
  }
}

/**
 * The snapshot's JSON, written a few hundred messages at a time: one JSON.stringify of a launch's 10,000
 * messages was a single string of 15 MB, made at every write.
 */
function writeSnapshot(file: string, snapshot: QueueSnapshot): void {
  const { messages, ...queue } = snapshot;
  const fd = openSync(file, 'w');
  const write = (text: string) => {
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
  };
  try {
    write(`${JSON.stringify(queue).slice(0, -1)},"messages":[`);
    for (let i = 0; i < messages.length; i += MESSAGES_PER_WRITE) {
      const chunk = messages.slice(i, i + MESSAGES_PER_WRITE).map((m) => JSON.stringify(m)).join(',');
      write(i === 0 ? chunk : `,${chunk}`);
    }
    write(']}');
  } finally {
    closeSync(fd);
  }
}
