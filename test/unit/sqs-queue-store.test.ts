import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueStore } from '../../local/sqs/queue-store';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

describe('the local SQS queue store', () => {
  it('brings back, after a restart, every message of a queue of thousands, the ones in flight included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-queues-'));
    dirs.push(dir);
    const now = () => Date.parse('2026-12-06T12:00:00Z');
    const store = new QueueStore(now, dir);
    const queue = store.create('nurture-router', { VisibilityTimeout: '180' });
    for (let n = 0; n < 1_234; n++) {
      queue.send({ body: JSON.stringify({ detail: { email: `lead-${n}@example.com`, note: 'quotes " and a comma, kept' } }), messageAttributes: n % 2 ? { kind: { DataType: 'String', StringValue: 'capture' } } : undefined });
    }
    const received = queue.receive({ max: 10 });
    store.flush();

    const restarted = new QueueStore(now, dir).get('nurture-router')!;
    expect(restarted.snapshot.attributes).toEqual({ VisibilityTimeout: '180' });
    expect(restarted.snapshot.messages).toEqual(queue.snapshot.messages);
    expect(restarted.counts()).toMatchObject({ visible: 1_224, inFlight: 10 });
    expect(restarted.snapshot.messages.filter((m) => m.receiveCount === 1).map((m) => m.messageId)).toEqual(received.map((m) => m.messageId));
  });

  it('brings back an empty queue', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-queues-'));
    dirs.push(dir);
    const store = new QueueStore(Date.now, dir);
    store.create('quiet', {});
    store.flush();
    expect(new QueueStore(Date.now, dir).get('quiet')?.snapshot.messages).toEqual([]);
  });
});
